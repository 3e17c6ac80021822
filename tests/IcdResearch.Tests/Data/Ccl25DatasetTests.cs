using IcdResearch.Data;

namespace IcdResearch.Tests;

public class Ccl25DatasetTests
{
    [RequiresDataFact]
    public void RealFilesLoadCompletelyAndConsistently()
    {
        var data = Ccl25Dataset.LoadFolder(TestData.RequireDir());
        Assert.False(data.IsSynthetic);
        Assert.Equal(160, data.TrainRaw.Count);
        Assert.Equal(754, data.TrainLabels.Count);
        Assert.Equal(754, data.TrainEntities.Count);
        Assert.Equal(200, data.TestARaw.Count);
        Assert.Equal(200, data.TestAEntities.Count);
        Assert.Equal(5, data.PrimaryCodes.Count);
        Assert.All(data.TrainRaw, r => Assert.True(r.HasLabels));
        Assert.All(data.TestARaw, r => Assert.False(r.HasLabels));
        // Every label code is a DCCNCE code (the loader enforces it; check independently here).
        var codes = data.TrainLabels.SelectMany(l => l.OtherCodes.Append(l.PrimaryCode)).Distinct().ToList();
        Assert.All(codes, c => Assert.True(data.Codes.Contains(c), c));
        Assert.True(data.TrainRaw.Select(r => r.Id).ToHashSet().IsSubsetOf(data.LabelsById.Keys));
        // test-a-raw.json has NaN text fields; they are reported, not dropped.
        Assert.Contains(data.TestARaw, r => r.MissingFields.Count > 0);
    }

    [RequiresDataFact]
    public void ChipCdnLoadsAllPairs()
    {
        Assert.Equal(6000, ChipCdn.Load(TestData.Path("chip-cdn", "train.json")).Count);
        var dev = ChipCdn.Load(TestData.Path("chip-cdn", "dev.json"));
        Assert.Equal(2000, dev.Count);
        Assert.Single(dev, p => p.Terms.Count == 0);
    }

    [Fact]
    public void AFolderGivenExplicitlyMustHoldTheDataNeverASilentSwitchToTheSyntheticSample()
    {
        var empty = TempFile.Dir();
        var e = Assert.Throws<DirectoryNotFoundException>(() => Ccl25Dataset.Load(empty));
        Assert.Contains(empty, e.Message);
        Assert.Contains("no ccl25/train-raw.json", e.Message);
        Assert.Contains("does not exist", Assert.Throws<DirectoryNotFoundException>(() => Ccl25Dataset.Load(empty + "-typo")).Message);
    }

    [Fact]
    public void TheInMemorySyntheticSampleSaysSo()
    {
        var data = Ccl25Dataset.Synthetic();
        Assert.True(data.IsSynthetic);
        Assert.Contains("SYNTHETIC", data.Notice);
        Assert.All(data.TrainLabels, l => Assert.StartsWith("SYN", l.Id));
    }

    [Fact]
    public void SynthCommandOutputLoadsAsAFolderAndIsFlaggedSynthetic()
    {
        var dir = TempFile.Dir();
        SyntheticSample.Write(dir);
        var data = Ccl25Dataset.LoadFolder(dir);
        var memory = Ccl25Dataset.Synthetic();
        Assert.True(data.IsSynthetic);
        Assert.Equal(memory.TrainLabels, data.TrainLabels);
        Assert.Equal(memory.TrainRaw.Select(r => r.FullText()), data.TrainRaw.Select(r => r.FullText()));
        Assert.Equal(memory.TestARaw.Count, data.TestARaw.Count);
    }
}
