using IcdResearch.Pipelines.SystemA;

namespace IcdResearch.Tests;

public class PrimaryRouterTests
{
    static PrimaryDecision Run(PrimaryArm arm, double confidence, string neighbour, ConfidenceThreshold? t = null)
        => PrimaryRouter.Decide(arm, new PrimaryFirstPass("A", confidence), neighbour, t ?? ConfidenceThreshold.Paper,
            rejudgeWithExample: () => "EX", rejudgeWithoutExample: () => "NOEX");

    [Theory]
    // arm, confidence, neighbour -> code
    [InlineData(PrimaryArm.Baseline, 0.3, "B", "A")]
    [InlineData(PrimaryArm.ConfidenceOnly, 0.3, "A", "NOEX")]
    [InlineData(PrimaryArm.ConfidenceOnly, 1.0, "B", "A")]
    [InlineData(PrimaryArm.RetrievalOnly, 1.0, "B", "EX")]
    [InlineData(PrimaryArm.RetrievalOnly, 0.3, "A", "A")]
    [InlineData(PrimaryArm.ConfidenceRetrieval, 0.3, "B", "EX")]
    [InlineData(PrimaryArm.ConfidenceRetrieval, 0.3, "A", "A")]
    [InlineData(PrimaryArm.ConfidenceRetrieval, 1.0, "B", "A")]
    public void EachArmRoutesAsThePaperDescribes(PrimaryArm arm, double confidence, string neighbour, string expected)
    {
        var d = Run(arm, confidence, neighbour);
        Assert.Equal(expected, d.Code);
        Assert.Equal(expected is "EX" or "NOEX", d.Rejudged);
    }

    [Fact]
    public void ToleranceTreatsFloatOneAsConfident()
    {
        var nearlyOne = (double)(1f - 1e-7f); // what an fp32 softmax gives a certain token
        Assert.False(ConfidenceThreshold.Paper.IsUncertain(nearlyOne));
        Assert.True(ConfidenceThreshold.Paper.IsUncertain(0.9999));
        Assert.True(new ConfidenceThreshold(1.0, 0).IsUncertain(nearlyOne));
        Assert.Equal("A", Run(PrimaryArm.ConfidenceRetrieval, nearlyOne, "B").Code);
        Assert.Equal("EX", Run(PrimaryArm.ConfidenceRetrieval, 0.85, "B", new ConfidenceThreshold(0.9)).Code);
        Assert.Equal("A", Run(PrimaryArm.ConfidenceRetrieval, 0.85, "B", new ConfidenceThreshold(0.8)).Code);
    }

    [Fact]
    public void RejudgeRunsOnlyWhenRouted()
    {
        var calls = 0;
        PrimaryRouter.Decide(PrimaryArm.ConfidenceRetrieval, new PrimaryFirstPass("A", 0.2), "A", ConfidenceThreshold.Paper,
            () => { calls++; return "X"; }, () => { calls++; return "Y"; });
        Assert.Equal(0, calls);
    }
}
