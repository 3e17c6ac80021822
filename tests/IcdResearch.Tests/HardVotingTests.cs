using IcdResearch.Voting;

namespace IcdResearch.Tests;

public class HardVotingTests
{
    static IReadOnlyCollection<string>[] Samples(params string[] joined)
        => joined.Select(j => (IReadOnlyCollection<string>)j.Split(';', StringSplitOptions.RemoveEmptyEntries)).ToArray();

    [Fact]
    public void KeepsCodesAboveThresholdOrderedByVotes()
    {
        var samples = Samples("A;B", "A;C", "A;B", "B", "A;A");
        // A in 4 samples (the duplicate in the last sample counts once), B in 3, C in 1.
        Assert.Equal(["A", "B"], HardVoting.Vote(samples, threshold: 2));
        Assert.Equal(["A"], HardVoting.Vote(samples, threshold: 3));
        Assert.Empty(HardVoting.Vote(samples, threshold: 4));
        Assert.Equal(4, HardVoting.Count(samples)["A"]);
    }

    [Fact]
    public void PaperEnsembleRuleNeedsMoreThanSevenOfSixteen()
    {
        // Direct model: X in all 8 samples, Y in 4. NER model: X in 0, Y in 4 -> X 8 (> 7, kept), Y 8 (kept), Z 7 (dropped).
        var direct = Enumerable.Range(0, 8).Select(i => (IReadOnlyCollection<string>)(i < 4 ? ["X", "Y", "Z"] : ["X"])).ToList();
        var ner = Enumerable.Range(0, 8).Select(i => (IReadOnlyCollection<string>)(i < 4 ? ["Y"] : i < 7 ? ["Z"] : [])).ToList();
        var voted = HardVoting.Ensemble([direct, ner]);
        Assert.Equal(["X", "Y"], voted);
        Assert.Equal(7, HardVoting.Count(direct.Concat(ner))["Z"]);
    }

    [Fact]
    public void MajorityThresholdIsStrictHalf()
    {
        Assert.Equal(4, HardVoting.MajorityThreshold(8));
        var samples = Samples("A", "A", "A", "A", "B", "B", "B", "B");
        Assert.Empty(HardVoting.Vote(samples, HardVoting.MajorityThreshold(8))); // 4 of 8 is not a majority
    }
}
