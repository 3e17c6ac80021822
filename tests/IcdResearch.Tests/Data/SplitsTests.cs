using IcdResearch.Data;

namespace IcdResearch.Tests;

public class SplitsTests
{
    static readonly Ccl25Dataset Synthetic = Ccl25Dataset.Synthetic();

    [Fact]
    public void SameSeedSameSplitOtherSeedOtherSplit()
    {
        var a = Splits.Create(Synthetic, seed: 5);
        var b = Splits.Create(Synthetic, seed: 5);
        var c = Splits.Create(Synthetic, seed: 6);
        Assert.Equal(a.Test, b.Test);
        Assert.Equal(a.Folds.SelectMany(f => f), b.Folds.SelectMany(f => f));
        Assert.NotEqual(a.Test, c.Test);
    }

    [Fact]
    public void PartsAreDisjointCoverEverythingAndFollowThePolicy()
    {
        var split = Splits.Create(Synthetic);
        split.Validate(Synthetic); // throws on overlap / unknown id / uncovered record
        Assert.Equal((int)Math.Round(0.3 * Synthetic.TrainRaw.Count), split.Test.Count);
        Assert.Equal((int)Math.Round(0.1 * Synthetic.TrainRaw.Count), split.Dev.Count);
        Assert.All(split.Test.Concat(split.Dev).Concat(split.Train), id => Assert.True(Synthetic.RawById.ContainsKey(id)));
        Assert.All(split.TrainEntities, id => Assert.False(Synthetic.RawById.ContainsKey(id)));
        Assert.Equal(Synthetic.TrainLabels.Count, split.Test.Count + split.Dev.Count + split.Train.Count + split.TrainEntities.Count);
    }

    [Fact]
    public void TestIsStratifiedByPrimaryCode()
    {
        var split = Splits.Create(Synthetic, testSize: 20, devSize: 5);
        var rawByCode = Synthetic.TrainRaw.GroupBy(r => r.PrimaryCode!).ToDictionary(g => g.Key, g => g.Count());
        var testByCode = split.Test.GroupBy(id => Synthetic.LabelsById[id].PrimaryCode).ToDictionary(g => g.Key, g => g.Count());
        foreach (var (code, n) in rawByCode)
        {
            var expected = 20.0 * n / Synthetic.TrainRaw.Count;
            Assert.InRange(testByCode.GetValueOrDefault(code), Math.Floor(expected), Math.Ceiling(expected));
        }
    }

    [Fact]
    public void FoldsAreBalancedAndStratified()
    {
        var split = Splits.Create(Synthetic, folds: 4);
        Assert.Equal(4, split.Folds.Count);
        Assert.True(split.Folds.Max(f => f.Count) - split.Folds.Min(f => f.Count) <= 1);
        foreach (var code in Synthetic.PrimaryCodes)
        {
            var perFold = split.Folds.Select(f => f.Count(id => Synthetic.LabelsById[id].PrimaryCode == code)).ToList();
            Assert.True(perFold.Max() - perFold.Min() <= 1, $"{code}: {string.Join(",", perFold)}");
        }
    }

    [Theory]
    [InlineData(new[] { 41, 35, 31, 27, 26 }, 48, new[] { 12, 11, 9, 8, 8 })]
    [InlineData(new[] { 10, 10, 10 }, 10, new[] { 4, 3, 3 })]
    [InlineData(new[] { 5, 0, 5 }, 4, new[] { 2, 0, 2 })]
    public void LargestRemainderAllocation(int[] sizes, int total, int[] expected) =>
        Assert.Equal(expected, Splits.Allocate(sizes, total));

    [Fact]
    public void SaveLoadRoundTripsAndValidationCatchesTampering()
    {
        var split = Splits.Create(Synthetic);
        var path = TempFile.Path();
        Splits.Save(path, split);
        var back = Splits.Load(path);
        Assert.Equal(split.Test, back.Test);
        Assert.Equal(split.Folds.Count, back.Folds.Count);
        var tampered = back with { Dev = back.Dev.Append(back.Test[0]).ToList() };
        Assert.Contains("both", Assert.Throws<InvalidDataException>(() => tampered.Validate(Synthetic)).Message);
        Assert.Throws<ArgumentException>(() => back.Part("validation"));
        Assert.Equal(back.Folds[1], back.Part("fold1"));
    }

    [RequiresDataFact]
    public void CommittedSplitIsValidAndReproducible()
    {
        var data = Ccl25Dataset.LoadFolder(TestData.RequireDir());
        var committed = Splits.Load(Path.Combine(RepositoryRoot(), Splits.DefaultPath));
        committed.Validate(data);
        Assert.Equal((48, 16, 96, 594), (committed.Test.Count, committed.Dev.Count, committed.Train.Count, committed.TrainEntities.Count));
        var again = Splits.Create(data, committed.Seed);
        Assert.Equal(committed.Test, again.Test);
        Assert.Equal(committed.Dev, again.Dev);
        Assert.Equal(committed.Folds.Select(f => string.Join(",", f)), again.Folds.Select(f => string.Join(",", f)));
    }

    static string RepositoryRoot([System.Runtime.CompilerServices.CallerFilePath] string file = "") =>
        DataDirectory.RepositoryRoot(Path.GetDirectoryName(file)!) ?? throw new DirectoryNotFoundException("repository root (IcdResearch.sln) not found");
}
