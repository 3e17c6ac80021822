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
    public void PerModelRuleAsWrittenNeedsAllEightRoundsOfOneModelThenCombines()
    {
        // Same samples as the pooled test below: X in all 8 direct rounds; Y in 4 + 4 rounds; Z in 4 + 3.
        var direct = Enumerable.Range(0, 8).Select(i => (IReadOnlyCollection<string>)(i < 4 ? ["X", "Y", "Z"] : ["X"])).ToList();
        var ner = Enumerable.Range(0, 8).Select(i => (IReadOnlyCollection<string>)(i < 4 ? ["Y"] : i < 7 ? ["Z", "W"] : ["W"])).ToList();
        Assert.Equal(7, HardVoting.PaperPerModelThresholdFor(8));
        // Per model (> 7 of 8): direct keeps X, NER keeps W (in 4 of its rounds? no: rounds 4..7 = 4) -> NER keeps nothing.
        Assert.Equal(["X"], HardVoting.PerModelThenCombine([direct, ner], 7, VoteCombination.Union));
        Assert.Empty(HardVoting.PerModelThenCombine([direct, ner], 7, VoteCombination.Intersection));
        // Pooled (> 7 of 16) keeps Y as well: 4 + 4 = 8 votes across the two models, which neither model gives it alone.
        Assert.Equal(["X", "Y"], HardVoting.Ensemble([direct, ner]));
        // With a lower per-model threshold both models keep Y; the union orders by pooled votes (X 8, Y 8, W 4, Z 7 → X, Y, Z, W).
        Assert.Equal(["X", "Y", "Z", "W"], HardVoting.PerModelThenCombine([direct, ner], 2, VoteCombination.Union));
        Assert.Equal(["Y", "Z"], HardVoting.PerModelThenCombine([direct, ner], 2, VoteCombination.Intersection));
        Assert.Equal(1, HardVoting.PaperPerModelThresholdFor(2));   // smoke profile: 2 rounds -> both must agree
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
