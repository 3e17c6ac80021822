using System.Text.Json;
using System.Text.RegularExpressions;
using IcdResearch.Figures;
using IcdResearch.Evaluation;
using Plotly.NET;
using Xunit.Abstractions;

namespace IcdResearch.Tests;

public class FiguresTests(ITestOutputHelper output)
{
    static ResultRow Row(string arm, double value, double low, double high, string metric = "primary_accuracy") =>
        new() { Experiment = "primary", Arm = arm, Split = "test", N = 20, Metric = metric, Value = value, CiLow = low, CiHigh = high };

    [Fact]
    public void WritesSelfContainedHtmlWithCiWhiskersAndPngWhenChromiumExists()
    {
        var dir = Directory.CreateTempSubdirectory("icd-figures-");
        var results = Path.Combine(dir.FullName, "results");
        ResultsTable.Write(Path.Combine(results, "primary.csv"),
        [
            Row("baseline", 0.60, 0.40, 0.80),
            Row("confidence+retrieval", 0.75, 0.55, 0.90),
            Row("confidence+retrieval@0.9", 0.70, 0.50, 0.85),
            Row("confidence+retrieval@1", 0.75, 0.55, 0.90),
        ]);
        var hasChromium = FigureExport.FindChromium() is not null;
        var outcomes = FigureWriter.WriteAll(new ResultsFolder(results), Path.Combine(dir.FullName, "figures"), png: hasChromium,
            [FigureCatalog.Get("fig4-primary-arms"), FigureCatalog.Get("primary-threshold-sweep"), FigureCatalog.Get("fig5-ner")]);

        var fig4 = outcomes.Single(o => o.Name == "fig4-primary-arms");
        var html = File.ReadAllText(fig4.HtmlPath!);
        Assert.Contains("plotly.js v2", html);                       // the library itself is inlined …
        Assert.DoesNotMatch(new Regex("<script[^>]+src=\"https?://"), html); // … not fetched from a CDN: works offline
        Assert.True(html.Length > 1_000_000, $"embedded plotly.js expected, HTML is only {html.Length} chars");
        Assert.StartsWith("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">", html.Replace("\r", ""));
        // Percent scale and asymmetric 95% CI whiskers: 75 % with CI [55, 90] → +15 / −20.
        var bars = Figure(results, "fig4-primary-arms").GetProperty("data")[0];
        Assert.Equal(["baseline", "confidence+retrieval"], bars.GetProperty("x").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal([60.0, 75.0], Numbers(bars.GetProperty("y")));
        Assert.Equal([20.0, 15.0], Numbers(bars.GetProperty("error_y").GetProperty("array")));
        Assert.Equal([20.0, 20.0], Numbers(bars.GetProperty("error_y").GetProperty("arrayminus")));
        // Paper A's Figure 4 value (45.99 of the 50-point primary half of Eq. 4) drawn as an accuracy, 91.98 %.
        var paper = Figure(results, "fig4-primary-arms").GetProperty("data")[1];
        Assert.Equal("paper A (test)", paper.GetProperty("name").GetString());
        Assert.Equal([91.98], Numbers(paper.GetProperty("y")));

        Assert.NotNull(outcomes.Single(o => o.Name == "primary-threshold-sweep").HtmlPath);
        var sweep = Figure(results, "primary-threshold-sweep").GetProperty("data")[0];
        Assert.Equal([0.9, 1.0], Numbers(sweep.GetProperty("x")));       // swept τ parsed from the arm names, sorted
        Assert.Equal([70.0, 75.0], Numbers(sweep.GetProperty("y")));

        var ner = outcomes.Single(o => o.Name == "fig5-ner");
        Assert.Null(ner.HtmlPath);                                     // no ner.csv: skipped, and says what it waits for
        Assert.Contains("ner.csv", ner.Message);

        if (!hasChromium)
        {
            output.WriteLine("chromium not installed: PNG rendering not checked (apt-get install chromium)");
            dir.Delete(recursive: true);
            return;
        }
        var png = File.ReadAllBytes(fig4.PngPath!);
        Assert.True(png.Length > 5_000, $"PNG suspiciously small: {png.Length} bytes");
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, png[..4]);
        dir.Delete(recursive: true);
    }

    [Fact]
    public void CodeCentricFiguresReadTheCclResultsFiles()
    {
        var dir = Directory.CreateTempSubdirectory("icd-figures-ccl-");
        ResultRow R(string file, string arm, string split, string metric, double value, double lo, double hi) =>
            new() { Experiment = file, Arm = arm, Split = split, N = 48, Metric = metric, Value = value, CiLow = lo, CiHigh = hi };
        ResultsTable.Write(Path.Combine(dir.FullName, "ccl_ablation.csv"),
        [
            R("ccl_ablation", "doc_codes", "test", "micro_f1", 0.30, 0.20, 0.40),
            R("ccl_ablation", "silver_synthetic", "test", "micro_f1", 0.40, 0.30, 0.50),
            R("ccl_ablation", "silver_synthetic", "test", "micro_precision", 0.50, 0.40, 0.60),
            R("ccl_ablation", "silver_synthetic", "test", "evidence_f1", 0.90, 0.80, 1.00),   // not a Table 3 metric: left out
        ]);
        ResultsTable.Write(Path.Combine(dir.FullName, "ccl_unseen.csv"),
        [
            R("ccl_unseen", "doc_codes", "test", "recall_unseen_all", 0.0, 0.0, 0.0),
            R("ccl_unseen", "gold_spans", "test", "recall_unseen_all", 0.25, 0.0, 0.5),
            R("ccl_unseen", "gold_spans", "test", "recall_unseen_gold_index", double.NaN, double.NaN, double.NaN), // no occurrences: left out
        ]);
        var ablation = Figure(dir.FullName, "ccl-table3-ablation").GetProperty("data");
        Assert.Equal(["micro_f1", "micro_precision", "paper B micro_f1", "paper B macro_f1"], ablation.EnumerateArray().Select(t => t.GetProperty("name").GetString()));
        Assert.Equal([30.0, 40.0], Numbers(ablation[0].GetProperty("y")));
        // Paper B's Table 3 lines on the same percent scale: doc_codes 42.3, silver_synthetic 59.3 (micro-F1).
        var paperMicro = ablation[2];
        var paperX = paperMicro.GetProperty("x").EnumerateArray().Select(e => e.GetString()).ToList();
        Assert.Equal(42.3, Numbers(paperMicro.GetProperty("y"))[paperX.IndexOf("doc_codes")], 6);
        Assert.Equal(59.3, Numbers(paperMicro.GetProperty("y"))[paperX.IndexOf("silver_synthetic")], 6);
        var unseen = Figure(dir.FullName, "ccl-fig3-unseen").GetProperty("data");
        Assert.Equal(["all"], unseen.EnumerateArray().Select(t => t.GetProperty("name").GetString()));
        Assert.Equal(["doc_codes", "gold_spans"], unseen[0].GetProperty("x").EnumerateArray().Select(e => e.GetString()));
        Assert.Null(FigureCatalog.Get("ccl-table2-efficiency").Build(new ResultsFolder(dir.FullName))); // no ccl_efficiency.csv
        dir.Delete(recursive: true);
    }

    [Fact]
    public void LeaderboardDrawsOnlyTheOrganisersFormulaNextToThePaper()
    {
        var dir = Directory.CreateTempSubdirectory("icd-figures-board-");
        ResultRow R(string arm, string metric, double value) =>
            new() { Experiment = "overall", Arm = arm, Split = "test", N = 48, Metric = metric, Value = value, CiLow = value - 0.05, CiHigh = value + 0.05 };
        ResultsTable.Write(Path.Combine(dir.FullName, "overall.csv"),
            [R("system_a", "acc_f1", 0.41), R("system_a", "acc_recall", 0.38), R("system_a_tuned", "acc_f1", 0.44), R("system_a_tuned", "acc_recall", 0.56)]);
        var data = Figure(dir.FullName, "table3-leaderboard").GetProperty("data");
        var ours = data[1];
        Assert.Equal([38.0, 56.0], Numbers(ours.GetProperty("x")));     // acc_recall only: the acc_f1 rows are not drawn
        Assert.All(ours.GetProperty("y").EnumerateArray(), y => Assert.DoesNotContain("acc_f1", y.GetString()));
        Assert.Contains(83.42, Numbers(data[0].GetProperty("x")));
        Assert.Contains(PaperReported.OfficialBaseline, Numbers(data[0].GetProperty("x")));
        dir.Delete(recursive: true);
    }

    [Fact]
    public void PaperValuesShareTheRateScaleOfOurResults()
    {
        // Paper A: Figure 4 (45.99) and Table 2's ensemble test (37.43) are the halves of Eq. 4 that add up to the final 83.42.
        var primary = PaperReported.Figure4ConfidenceRetrieval;
        var ensemble = PaperReported.For(PaperReported.Table2Other, "ensemble", "test", "other_f1")!;
        Assert.Equal(PaperReported.FinalScore.Printed, primary.Printed + ensemble.Printed, 6);
        Assert.Equal(0.9198, primary.Rate, 6);
        Assert.Equal(0.7486, ensemble.Rate, 6);
        Assert.Equal(PaperReported.FinalScore.Rate, 0.5 * primary.Rate + 0.5 * ensemble.Rate, 6);   // Eq. 4 on the rate scale
        Assert.Equal(0.593, PaperReported.For(PaperReported.CclTable3, "silver_synthetic", "test", "micro_f1")!.Rate, 6);
        Assert.Null(PaperReported.For(PaperReported.Table2Other, "ensemble_tuned", "test", "other_f1"));
        Assert.Equal(5, PaperReported.CclAppendixCScaling.Select(v => v.Arm).Distinct().Count());
    }

    static JsonElement Figure(string results, string name) =>
        JsonDocument.Parse(GenericChart.toFigureJson(FigureCatalog.Get(name).Build(new ResultsFolder(results))!)).RootElement;

    static double[] Numbers(JsonElement array) => array.EnumerateArray().Select(e => Math.Round(e.GetDouble(), 9)).ToArray();

    [Fact]
    public void CalibrationBinsCasesAndComputesExpectedCalibrationError()
    {
        CaseConfidence Case(double confidence, bool correct) => new("x", "baseline", "test", confidence, correct);
        // Bin [0.2, 0.4): confidences 0.3, 0.3 with 1 of 2 correct; bin [0.8, 1.0]: 0.9 and 1.0 (closed upper edge), both correct.
        var bins = Calibration.Bins([Case(0.3, true), Case(0.3, false), Case(0.9, true), Case(1.0, true)], bins: 5);
        Assert.Equal(5, bins.Count);
        Assert.Equal([0, 2, 0, 0, 2], bins.Select(b => b.Count));
        Assert.Equal(0.5, bins[1].Accuracy, 12);
        Assert.Equal(0.95, bins[4].MeanConfidence, 12);
        // ECE = (2·|0.5−0.3| + 2·|1.0−0.95|) / 4 = 0.125
        Assert.Equal(0.125, Calibration.ExpectedCalibrationError(bins), 12);
        Assert.Throws<ArgumentException>(() => Calibration.Bins([Case(1.5, true)]));
    }

    [Theory]
    [InlineData("confidence+retrieval@0.95", null, 0.95)]
    [InlineData("ensemble@7", null, 7.0)]
    [InlineData("confidence+retrieval", "threshold=0.9", 0.9)]
    [InlineData("baseline", null, null)]
    public void ReadsTheSweptParameterFromArmOrNote(string arm, string? note, double? expected)
    {
        var row = new ResultRow { Experiment = "e", Arm = arm, Split = "test", N = 1, Metric = "m", Value = 0, Note = note };
        Assert.Equal(expected, ResultCharts.SweepParameter(row));
    }

    [Fact]
    public void ReadsPerCaseConfidencesAndRejectsBadCorrectness()
    {
        var dir = Directory.CreateTempSubdirectory("icd-cases-");
        File.WriteAllText(Path.Combine(dir.FullName, "primary_cases.csv"), "id,arm,split,confidence,correct\na,baseline,test,0.5,1\nb,baseline,test,1,false\n");
        var cases = new ResultsFolder(dir.FullName).Cases();
        Assert.Equal([new CaseConfidence("a", "baseline", "test", 0.5, true), new CaseConfidence("b", "baseline", "test", 1, false)], cases);
        File.WriteAllText(Path.Combine(dir.FullName, "primary_cases.csv"), "id,arm,split,confidence,correct\na,baseline,test,0.5,yes\n");
        var error = Assert.Throws<InvalidDataException>(() => new ResultsFolder(dir.FullName).Cases());
        Assert.Contains("row 1", error.Message);
        dir.Delete(recursive: true);
    }
}
