using IcdResearch.Pipelines.SystemA;

namespace IcdResearch.Tests;

public class OtherAblationTests
{
    static OtherSamples Record(string[] gold, int directWithX, int nerWithX, int perModel = 8)
        => new("r", gold.ToHashSet(),
            Enumerable.Range(0, perModel).Select(i => i < directWithX ? new List<string> { "X" } : []).ToList(),
            Enumerable.Range(0, perModel).Select(i => i < nerWithX ? new List<string> { "X" } : []).ToList());

    [Fact]
    public void PaperThresholdScalesSevenOfSixteen()
    {
        Assert.Equal(7, OtherAblation.PaperThreshold(16));
        Assert.Equal(1, OtherAblation.PaperThreshold(4));
    }

    [Fact]
    public void VotingRowsFollowTheRules()
    {
        var r = Record(["X"], directWithX: 5, nerWithX: 2); // 5 of 8 direct (majority), 2 of 8 NER, 7 of 16 pooled
        Assert.Equal(["X"], OtherAblation.Direct(r));
        Assert.Empty(OtherAblation.WithNer(r));
        Assert.Empty(OtherAblation.Ensemble(r, 7)); // 7 is not more than 7
        Assert.Equal(["X"], OtherAblation.Ensemble(r, 6));
    }

    [Fact]
    public void BestThresholdMaximisesMeanF1()
    {
        // X is gold in the first record (seen 6 of 16) and wrong in the second (gold empty, seen 3 of 16): keep X when count > 3..5.
        var records = new[] { Record(["X"], 3, 3), Record([], 2, 1) };
        var best = OtherAblation.BestThreshold(records);
        Assert.InRange(best, 3, 5);
        var rows = OtherAblation.Rows(records, "dev", best);
        Assert.Equal(16, rows.Count(row => row.Arm.StartsWith("ensemble@")));
        var tuned = rows.Single(row => row.Arm == "ensemble_tuned" && row.Metric == "other_f1");
        Assert.Equal(rows.Max(row => row.Arm.StartsWith("ensemble@") ? row.Value : 0), tuned.Value, 12);
    }
}
