using System.Text.Json;
using System.Text.Json.Nodes;
using IcdResearch.Evaluation;
using IcdResearch.Figures;
using IcdResearch.Figures.Notebook;
using IcdResearch.Pipelines;
using IcdResearch.Pipelines.Study;
using Plotly.NET;

namespace IcdResearch.Tests;

/// <summary>The seed-study figures (results/study/) and the scale/data curves (results/ + results/curves/*/), built from small hand-written inputs.</summary>
public class StudyAndCurveFiguresTests : IDisposable
{
    readonly string _root = Directory.CreateTempSubdirectory("icd-study-curves-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    static ResultRow R(string experiment, string arm, string metric, double value, double? p = null, string split = "test") =>
        new() { Experiment = experiment, Arm = arm, Split = split, N = 48, Metric = metric, Value = value, CiLow = value - 0.1, CiHigh = value + 0.1, PValue = p };

    /// <summary>Three seeds of a study as `icd reproduce` writes them, pooled into results/study/ by the study's own code.</summary>
    string WriteStudy()
    {
        var results = Path.Combine(_root, "results");
        var study = Path.Combine(results, "study");
        var seedValues = new[] { 0.40, 0.50, 0.60 };            // System A acc_f1: mean 0.50, SD 0.10
        var runs = new List<StudyRun>();
        for (var i = 0; i < 3; i++)
        {
            var dir = Path.Combine(study, $"seed-{i}");
            var retrievalGain = i == 2 ? -0.05 : 0.10;        // paper's sign (+) in 2 of 3 seeds, mean +0.05
            ResultsTable.Write(Path.Combine(dir, "overall.csv"),
            [
                R("overall", "system_a_tuned", "acc_f1", seedValues[i]),
                R("overall", "system_a_tuned-vs-tfidf-lr", "acc_f1_delta", seedValues[i] - 0.6, 0.3),
            ]);
            ResultsTable.Write(Path.Combine(dir, "baselines.csv"), [R("baselines", "tfidf-lr", "acc_f1", 0.6, split: "ccl25-seed42/test")]);
            ResultsTable.Write(Path.Combine(dir, "primary.csv"),
                [R("primary", "baseline", "primary_accuracy", 0.5), R("primary", "confidence_retrieval", "primary_accuracy", 0.5 + retrievalGain, 0.2)]);
            ResultsTable.Write(Path.Combine(dir, "ccl_ablation.csv"),
                [R("ccl_ablation", "doc_evidence", "micro_f1", 0.30), R("ccl_ablation", "gold_spans", "micro_f1", 0.28, 0.6)]);
            runs.Add(new StudyRun($"seed-{i}", dir));
        }
        ResultsTable.Write(Path.Combine(study, "study.csv"), SeedStudy.Arms(runs));
        ResultsTable.Write(Path.Combine(study, "study_deltas.csv"), SeedStudy.Deltas(runs));
        return results;
    }

    static JsonElement Figure(string results, string name) =>
        JsonDocument.Parse(GenericChart.toFigureJson(FigureCatalog.Get(name).Build(new ResultsFolder(results))!)).RootElement;

    static JsonElement Trace(JsonElement figure, string name) =>
        figure.GetProperty("data").EnumerateArray().Single(t => t.GetProperty("name").GetString() == name);

    static List<string?> Strings(JsonElement array) => array.EnumerateArray().Select(e => e.GetString()).ToList();

    static double[] Numbers(JsonElement array) => array.EnumerateArray().Select(e => Math.Round(e.GetDouble(), 6)).ToArray();

    [Fact]
    public void StudyArmsShowTheMeanOverSeedsWithSeedSdCiAndThePapersValue()
    {
        var fig = Figure(WriteStudy(), "study-arms");
        var ours = Trace(fig, "System A / CCL arm: mean ± SD over seeds");
        var labels = Strings(ours.GetProperty("y"));
        var systemA = labels.IndexOf("Eq. 4 · system_a_tuned");
        Assert.Equal(50.0, Numbers(ours.GetProperty("x"))[systemA]);
        Assert.Equal(10.0, Numbers(ours.GetProperty("error_x").GetProperty("array"))[systemA]);   // SD of 0.40, 0.50, 0.60
        Assert.Equal("50.0 ± 10.0", Strings(ours.GetProperty("text"))[systemA]);
        // The t CI over 3 seeds: mean ± 4.303·SD/√3.
        var ci = Trace(fig, "95% CI over seeds (t)");
        var ciIndex = Strings(ci.GetProperty("y")).IndexOf("Eq. 4 · system_a_tuned");
        Assert.Equal(Math.Round(4.303 * 10 / Math.Sqrt(3), 6), Numbers(ci.GetProperty("error_x").GetProperty("array"))[ciIndex]);
        // tfidf-lr from the study, beside System A, as a peer.
        var peer = Trace(fig, "baseline peer: mean ± SD over seeds");
        Assert.Equal(["Eq. 4 · tfidf-lr"], Strings(peer.GetProperty("y")));
        Assert.Equal([60.0], Numbers(peer.GetProperty("x")));
        // Rows follow the headline order: the overall score first, CCL last.
        Assert.Equal(["Eq. 4 · system_a_tuned", "Eq. 4 · tfidf-lr", "primary · baseline", "primary · confidence_retrieval", "CCL micro-F1 · doc_evidence", "CCL micro-F1 · gold_spans"],
            Strings(ci.GetProperty("y")));
        // The paper's printed values in grey: Figure 4 (45.99 / 50) and CCL Table 3 lines 3–4 (49.7, 53.4 %).
        var paper = Trace(fig, "paper's printed value (as a rate)");
        Assert.Equal(["primary · confidence_retrieval", "CCL micro-F1 · doc_evidence", "CCL micro-F1 · gold_spans"], Strings(paper.GetProperty("y")));
        Assert.Equal([91.98, 49.7, 53.4], Numbers(paper.GetProperty("x")));
    }

    [Fact]
    public void StudyDeltasShowThePooledEstimateAndTheShareOfSeedsWithThePapersSign()
    {
        var fig = Figure(WriteStudy(), "study-deltas");
        var agrees = Trace(fig, "mean delta has the paper's sign");
        var retrieval = Strings(agrees.GetProperty("y")).FindIndex(l => l!.StartsWith("confidence_retrieval - baseline · primary_accuracy", StringComparison.Ordinal));
        Assert.Equal(5.0, Numbers(agrees.GetProperty("x"))[retrieval]);                    // (+10 + 10 − 5) / 3 points
        var against = Trace(fig, "mean delta against the paper's sign");
        Assert.Equal([-2.0], Numbers(against.GetProperty("x")));                            // CCL line 4 − line 3 in every seed
        var noClaim = Trace(fig, "no paper claim (headline comparisons)");
        Assert.StartsWith("system_a_tuned-vs-tfidf-lr · acc_f1_delta", Strings(noClaim.GetProperty("y")).Single());
        Assert.Equal([-10.0], Numbers(noClaim.GetProperty("x")));
        var share = Trace(fig, "share of seeds with the paper's sign");
        var byLabel = Strings(share.GetProperty("y")).Zip(Strings(share.GetProperty("text"))).ToDictionary(x => x.First!.Split(" · ")[0], x => x.Second);
        Assert.Equal("2/3", byLabel["confidence_retrieval - baseline"]);
        Assert.Equal("0/3", byLabel["gold_spans - doc_evidence"]);
        Assert.DoesNotContain("system_a_tuned-vs-tfidf-lr", byLabel.Keys);                 // no claim, no share
        Assert.Equal("x2", share.GetProperty("xaxis").GetString());
    }

    [Fact]
    public void MissingInputsGiveTheWaitingMessageWithTheCommand()
    {
        var empty = new ResultsFolder(Path.Combine(_root, "nothing"));
        foreach (var name in new[] { "study-arms", "study-deltas", "scale-curve", "data-curve" })
        {
            Assert.Null(FigureCatalog.Get(name).Build(empty));
            Assert.IsType<string>(NotebookFigure.Show(empty, name));
        }
        Assert.Contains("run `icd reproduce --study --seeds 42,7,13 --out results/study`", (string)NotebookFigure.Show(empty, "study-deltas"));
        Assert.Contains("--backbone-size base --out results/curves/backbone-base", (string)NotebookFigure.Show(empty, "scale-curve"));
        Assert.Contains("--entity-records N --out results/curves/entities-N", (string)NotebookFigure.Show(empty, "data-curve"));
        var outcome = FigureWriter.WriteAll(empty, Path.Combine(_root, "figures"), png: false, [FigureCatalog.Get("study-arms")]).Single();
        Assert.Null(outcome.HtmlPath);
        Assert.Contains("study/study.csv", outcome.Message);
    }

    /// <summary>A results folder of one curve point: summary.json and System A's / tfidf-lr's test rows.</summary>
    static void Point(string dir, string profile, JsonObject? curvePoint, double primary, double other, double tfidfPrimary = 0.76, double tfidfOther = 0.40)
    {
        var summary = new JsonObject { ["profile"] = profile, ["data"] = new JsonObject { ["n_train"] = 160, ["n_train_entities"] = 594 } };
        if (curvePoint is not null) summary[CurvePoint.SummaryKey] = curvePoint;
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "summary.json"), summary.ToJsonString());
        ResultsTable.Write(Path.Combine(dir, "overall.csv"),
            [R("overall", "system_a_tuned", "primary_accuracy", primary), R("overall", "system_a_tuned", "other_f1", other), R("overall", "system_a", "primary_accuracy", 0.99)]);
        ResultsTable.Write(Path.Combine(dir, "baselines.csv"),
            [R("baselines", "tfidf-lr", "primary_accuracy", tfidfPrimary, split: "ccl25-seed42/test"), R("baselines", "tfidf-lr", "other_f1", tfidfOther, split: "ccl25-seed42/test")]);
    }

    static JsonObject At(string size, long? parameters, int entities) => new CurvePoint(size, parameters, entities).ToJson();

    string WriteCurves()
    {
        var results = Path.Combine(_root, "results");
        var curves = Path.Combine(results, "curves");
        Point(results, "default", At("small", 3_470_000, 300), 0.50, 0.30);                               // the reported run: on both curves
        Point(Path.Combine(curves, "backbone-base"), "default", At("base", 10_600_000, 300), 0.55, 0.35, tfidfPrimary: 0.10);
        Point(Path.Combine(curves, "backbone-small"), "default", At("small", 3_470_000, 300), 0.01, 0.01);  // same setting as results/: not a second point
        Point(Path.Combine(curves, "entities-0"), "default", At("small", 3_470_000, 0), 0.45, 0.20);
        Point(Path.Combine(curves, "entities-594"), "default", At("small", 3_470_000, 594), 0.52, 0.38);
        Point(Path.Combine(curves, "smoke-run"), "smoke", At("tiny", 60_000, 4), 0.05, 0.05);              // another profile: ignored
        return results;
    }

    [Fact]
    public void ScaleCurveDrawsSystemAPerBackboneSizeWithTfidfFlatAndAppendixCInItsOwnPanel()
    {
        var fig = Figure(WriteCurves(), "scale-curve");
        var primary = Trace(fig, "System A primary accuracy");
        Assert.Equal(["small (3.5 M)", "base (10.6 M)"], Strings(primary.GetProperty("x")));
        Assert.Equal([50.0, 55.0], Numbers(primary.GetProperty("y")));
        Assert.Equal([10.0, 10.0], Numbers(primary.GetProperty("error_y").GetProperty("array")));
        Assert.Equal([30.0, 35.0], Numbers(Trace(fig, "System A other-diagnosis F1").GetProperty("y")));
        // tfidf-lr (the reported run's: it uses no backbone) as flat dashed lines across our panel.
        var lines = fig.GetProperty("layout").GetProperty("shapes").EnumerateArray().Where(s => s.GetProperty("type").GetString() == "line").ToList();
        Assert.Equal([76.0, 40.0], lines.Select(l => Math.Round(l.GetProperty("y0").GetDouble(), 6)));
        Assert.All(lines, l => Assert.Equal(l.GetProperty("y0").GetDouble(), l.GetProperty("y1").GetDouble()));
        // Paper B's Appendix C on its own axes (x2/y2, billions of parameters), never on ours.
        var appendix = Trace(fig, "paper B Appendix C: CCL micro-f1 (MDACE)");
        Assert.Equal("x2", appendix.GetProperty("xaxis").GetString());
        Assert.Equal("y2", appendix.GetProperty("yaxis").GetString());
        Assert.Equal([0.5, 1.0, 1.5, 3.0, 7.0], Numbers(appendix.GetProperty("x")));
        Assert.Equal([31.8, 40.8, 50.6, 53.2, 54.2], Numbers(appendix.GetProperty("y")));
        Assert.False(primary.TryGetProperty("xaxis", out _));
        Assert.DoesNotContain("missing:", fig.GetProperty("layout").GetProperty("title").GetProperty("text").GetString());
    }

    [Fact]
    public void DataCurveDrawsSystemAPerEntityRecordCountAndNamesTheMissingPoints()
    {
        var fig = Figure(WriteCurves(), "data-curve");
        var primary = Trace(fig, "System A primary accuracy");
        Assert.Equal([0.0, 300.0, 594.0], Numbers(primary.GetProperty("x")));
        Assert.Equal([45.0, 50.0, 52.0], Numbers(primary.GetProperty("y")));
        Assert.Equal([20.0, 30.0, 38.0], Numbers(Trace(fig, "System A other-diagnosis F1").GetProperty("y")));
        var layout = fig.GetProperty("layout");
        Assert.Contains("160 raw training records", layout.GetProperty("xaxis").GetProperty("title").GetProperty("text").GetString());
        var title = layout.GetProperty("title").GetProperty("text").GetString()!;
        Assert.Contains("missing: icd reproduce --entity-records 150 --out results/curves/entities-150", title);
        Assert.DoesNotContain("--entity-records 0 ", title);
    }

    [Fact]
    public void ASummaryWithoutCurvePointIsPlacedByItsProfile()
    {
        var results = Path.Combine(_root, "old");
        Point(results, "default", curvePoint: null, 0.5, 0.3);                  // written before curve_point existed
        var points = CurveResults.Load(new ResultsFolder(results));
        Assert.Equal(new CurvePoint("small", null, 300), points.Single().Point);
        var primary = Trace(Figure(results, "scale-curve"), "System A primary accuracy");
        Assert.Equal(["small (parameters not recorded)"], Strings(primary.GetProperty("x")));
    }
}
