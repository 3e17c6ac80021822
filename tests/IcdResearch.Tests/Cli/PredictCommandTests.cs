using IcdResearch.Cli.Commands;
using IcdResearch.Data;
using IcdResearch.Pipelines.SystemA;

namespace IcdResearch.Tests;

public class PredictCommandTests
{
    static SystemAConfig Config(params string[] databaseIds) => new()
    {
        PrimaryCandidates = [new("I21.9", "急性心肌梗死")],
        OtherCandidates = [new("I10", "高血压")],
        Models = new Dictionary<string, string>(),
        Database = databaseIds.Select(id => new DatabaseEntry(id, "入院诊断", "主诉", "I21.9")).ToList(),
    };

    static List<ClinicalRecord> Records(params string[] ids) => ids.Select(id => new ClinicalRecord { Id = id }).ToList();

    [Theory]
    [InlineData(7, 16, "in more than 7 of the 16 pooled samples")]
    [InlineData(0, 4, "in at least one of the 4 pooled samples")]
    [InlineData(3, 4, "in all 4 pooled samples")]
    [InlineData(0, 1, "in the one pooled sample")]
    public void VoteRuleReadsWellForEveryThreshold(int threshold, int pooled, string expected) =>
        Assert.Equal(expected, PredictCommand.VoteRule(threshold, pooled));

    [Fact]
    public void CountsAgreeWithTheirNoun()
    {
        Assert.Equal("0 warnings", PredictCommand.Count(0, "warning"));
        Assert.Equal("1 warning", PredictCommand.Count(1, "warning"));
        Assert.Equal("1,200 predictions", PredictCommand.Count(1200, "prediction"));
    }

    [Fact]
    public void SyntheticModelsOnRealRecordsAreFlaggedWithAGrammaticalCount()
    {
        var synthetic = Config("SYN0001", "SYN0002");
        Assert.Equal("the models were trained on the SYNTHETIC sample, but 1 of the 2 input records is not synthetic",
            PredictCommand.SyntheticMismatch(synthetic, Records("SYN0003", "8f3a")));
        Assert.Equal("the models were trained on the SYNTHETIC sample, but 2 of the 2 input records are not synthetic",
            PredictCommand.SyntheticMismatch(synthetic, Records("8f3a", "9b1c")));
        // Synthetic input, and real models, are fine.
        Assert.Null(PredictCommand.SyntheticMismatch(synthetic, Records("SYN0003", "SYNA001")));
        Assert.Null(PredictCommand.SyntheticMismatch(Config("8f3a", "SYN0001"), Records("9b1c")));
    }
}
