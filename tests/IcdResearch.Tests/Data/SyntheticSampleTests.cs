using IcdResearch.Data;

namespace IcdResearch.Tests;

public class SyntheticSampleTests
{
    [Fact]
    public void IsDeterministicForASeedAndDiffersAcrossSeeds()
    {
        var a = SyntheticSample.Generate(1);
        var b = SyntheticSample.Generate(1);
        var c = SyntheticSample.Generate(2);
        Assert.Equal(a.TrainRaw.Select(r => r.FullText()), b.TrainRaw.Select(r => r.FullText()));
        Assert.Equal(a.TrainLabels, b.TrainLabels);
        Assert.NotEqual(a.TrainRaw.Select(r => r.FullText()), c.TrainRaw.Select(r => r.FullText()));
    }

    [Fact]
    public void CoversTheLabelSpaceAndIsClearlyLabelledSynthetic()
    {
        var s = SyntheticSample.Generate();
        Assert.Equal(48, s.TrainRaw.Count);
        Assert.Equal(72, s.TrainLabels.Count);
        Assert.Equal(SyntheticSample.PrimaryCodes.Order(), s.TrainLabels.Select(l => l.PrimaryCode).Distinct().Order());
        Assert.True(s.TrainRaw.GroupBy(r => r.PrimaryCode).All(g => g.Count() >= 9)); // balanced over the 5 primaries
        var usedOthers = s.TrainLabels.SelectMany(l => l.OtherCodes).Distinct().Count();
        Assert.True(usedOthers >= 15, $"only {usedOthers} other codes used");
        Assert.All(s.TrainLabels.SelectMany(l => l.OtherCodes.Append(l.PrimaryCode)), c => Assert.True(s.Codes.Contains(c)));
        Assert.All(s.TrainRaw, r => Assert.Contains(SyntheticSample.Marker, r.PersonalHistory));
        Assert.All(s.TrainLabels, l => Assert.True(SyntheticSample.IsSyntheticId(l.Id)));
        Assert.All(s.TestARaw, r => Assert.False(r.HasLabels));
        Assert.All(s.TrainRaw, r => Assert.NotEmpty(r.OtherCodes!));
    }

    [Fact]
    public void AdmissionDiagnosisNamesThePrimaryDisease()
    {
        // The text must let a model learn: the primary code's name (or a wording of it) is in 入院诊断 for most records.
        var s = SyntheticSample.Generate();
        var primaryFirstLine = s.TrainRaw.GroupBy(r => r.PrimaryCode)
            .ToDictionary(g => g.Key!, g => g.Select(r => r.AdmissionDiagnosis.Split('2')[0]).ToHashSet());
        foreach (var (code, lines) in primaryFirstLine)
            foreach (var (other, otherLines) in primaryFirstLine.Where(p => p.Key != code))
                Assert.Empty(lines.Intersect(otherLines)); // no wording shared between two primary codes
    }
}
