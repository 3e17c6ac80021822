using IcdResearch.Evaluation;
using IcdResearch.Figures;
using IcdResearch.Figures.Notebook;

namespace IcdResearch.Tests;

/// <summary>Notebook tables put the paper's value beside ours, on our rate scale, only where the paper reports that arm and metric.</summary>
public class ResultFrameTests
{
    static ResultRow Row(string arm, string split, string metric, double value) =>
        new() { Experiment = "x", Arm = arm, Split = split, N = 48, Metric = metric, Value = value, CiLow = value - 0.1, CiHigh = value + 0.1 };

    [Fact]
    public void PaperColumnHoldsTheReportedRateWhereThePaperHasTheArm()
    {
        var frame = ResultFrame.Of([
            Row("confidence_retrieval", "test", "primary_accuracy", 0.52),    // Lv et al. Figure 4: 45.99 of the primary half (/ 50)
            Row("ensemble", "dev", "other_f1", 0.37),                          // Table 2, validation: 38.30 / 50
            Row("doc_codes", "ccl25-seed42-fold3/test", "macro_f1", 0.05),    // Zhang et al. Table 3 line 2, on a fold's test part
            Row("baseline", "test", "primary_accuracy", 0.46),                 // Figure 4's baseline bar is not printed
            Row("confidence_retrieval", "test", "acc_f1", 0.4),                // no such metric in the paper
        ]);
        var paper = frame.Columns["paper"];
        Assert.Equal(45.99 / 50, (double)paper[0]!, 9);
        Assert.Equal(38.30 / 50, (double)paper[1]!, 9);
        Assert.Equal(0.170, (double)paper[2]!, 9);
        Assert.Null(paper[3]);
        Assert.Null(paper[4]);
        var printed = frame.Columns["paper_printed"];
        Assert.Contains("45.99", (string)printed[0]!);
        Assert.Contains("Figure 4", (string)printed[0]!);
        Assert.Equal("", (string)printed[3]!);
        Assert.Equal(0.52, (double)frame.Columns["value"][0]!, 9);               // ours unchanged beside it
    }
}
