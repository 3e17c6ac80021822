using IcdResearch.Evaluation;
using IcdResearch.Figures;
using IcdResearch.Figures.Report;

namespace IcdResearch.Tests;

public class ResultsReportTests
{
    static ResultRow Row(string arm, string split, string metric, double value, double lo = double.NaN, double hi = double.NaN, double? p = null) =>
        new() { Experiment = "primary", Arm = arm, Split = split, N = 48, Metric = metric, Value = value, CiLow = lo, CiHigh = hi, PValue = p };

    [Fact]
    public void TablePutsThePapersPrintedValueOnTheRateScaleBesideTheMatchingArm()
    {
        var dir = Directory.CreateTempSubdirectory("icd-report-").FullName;
        try
        {
            ResultsTable.Write(Path.Combine(dir, "primary.csv"),
            [
                Row("baseline", "test", "accuracy", 0.375, 0.25, 0.5),
                Row("confidence_retrieval", "test", "primary_accuracy", 0.5208, 0.375, 0.667, p: 0.0004),
                Row("confidence_retrieval", "dev", "primary_accuracy", 0.6875),
                Row("baseline", "test", "routed", 0),
                Row("confidence_retrieval", "test", "routed", 25),
            ]);
            var table = ResultsReport.Table(new ResultsFolder(dir), "primary.csv", split: "test")!;
            var lines = table.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal("| arm | split | n | accuracy | primary_accuracy | routed | paper (rate, printed) |", lines[0]);
            Assert.Equal(4, lines.Length);   // header, rule, two test rows: the dev row is filtered out
            // A count without a CI prints as a whole number (0 too), a rate keeps three decimals.
            Assert.Equal("| baseline | test | 48 | 0.375 [0.250, 0.500] | — | 0 |  |", lines[2]);
            // Paper A's Figure 4 prints 45.99 out of 50 (half of Lv et al. Eq. 4): rate 0.920.
            Assert.StartsWith("| confidence_retrieval | test | 48 | — | 0.521 [0.375, 0.667] (p < 0.001) | 25 | A Figure 4: primary_accuracy 0.920 (45.99) |", lines[3]);

            // The paper column lists only the metrics shown.
            Assert.DoesNotContain("paper", ResultsReport.Table(new ResultsFolder(dir), "primary.csv", split: "test", metrics: ["accuracy"])!);
            var onlyBaseline = ResultsReport.Table(new ResultsFolder(dir), "primary.csv", arms: ["baseline"])!;
            Assert.DoesNotContain("paper", onlyBaseline);   // no paper column when no row has a printed counterpart
            Assert.Null(ResultsReport.Table(new ResultsFolder(dir), "primary.csv", metrics: ["no_such_metric"]));
            Assert.Null(ResultsReport.Table(new ResultsFolder(dir), "missing.csv"));
        }
        finally { Directory.Delete(dir, true); }
    }
}
