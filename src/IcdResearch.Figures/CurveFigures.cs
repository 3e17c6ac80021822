using System.Globalization;
using IcdResearch.Evaluation;
using IcdResearch.Pipelines;
using IcdResearch.Tuning;
using Plotly.NET;

namespace IcdResearch.Figures;

/// <summary>
/// The scale and data curves (issue 13, item 4): System A's primary accuracy and other-diagnosis F1 on the test
/// split against the backbone size and against the entity-view records added to its fine-tuning, with tfidf-lr
/// (which uses neither) as a flat reference band. The scale curve has paper B's Appendix C (CCL scaling, MDACE) as a
/// second panel with its own axes: another task and metric, shown for context and never on our axis.
/// </summary>
public static class CurveFigures
{
    /// <summary>The sizes of the scale curve (issue 13: the current `small` and the larger `base`).</summary>
    public static readonly string[] ScaleCurveSizes = ["small", "base"];

    /// <summary>The entity-view record counts of the data curve (594 = all of the split's entity-only records).</summary>
    public static readonly int[] DataCurveRecords = [0, 150, 300, 594];

    /// <summary>The command that adds the scale-curve points still missing (null when none is).</summary>
    public static string? MissingScale(IReadOnlyList<CurvePointResult> scale) =>
        Missing(ScaleCurveSizes.Where(s => scale.All(p => p.Point.BackboneSize != s)).ToList(), "S",
            $"icd reproduce{ProfileOption(scale)} --backbone-size {{0}} --out results/{CurveResults.Folder}/backbone-{{0}}");

    /// <summary>The command that adds the data-curve points still missing (null when none is).</summary>
    public static string? MissingData(IReadOnlyList<CurvePointResult> data) =>
        Missing(DataCurveRecords.Where(n => data.All(p => p.Point.EntityRecords != n)).Select(n => n.ToString(CultureInfo.InvariantCulture)).ToList(), "N",
            $"icd reproduce{ProfileOption(data)} --entity-records {{0}} --out results/{CurveResults.Folder}/entities-{{0}}");

    /// <summary>" --profile NAME" when the reported run is not of the default profile (a point counts only with the same profile).</summary>
    static string ProfileOption(IReadOnlyList<CurvePointResult> points) =>
        points.Count > 0 && points[0].Profile != "default" && points[0].Profile != "" ? $" --profile {points[0].Profile}" : "";

    static string? Missing(IReadOnlyList<string> values, string variable, string command) => values.Count switch
    {
        0 => null,
        1 => string.Format(CultureInfo.InvariantCulture, command, values[0]),
        _ => string.Format(CultureInfo.InvariantCulture, command, variable) + $" for {variable} = {string.Join(", ", values)}",
    };

    public static GenericChart? Scale(ResultsFolder results)
    {
        var points = CurveResults.Scale(CurveResults.Load(results));
        if (points.Count == 0) return null;
        var labels = points.Select(p => SizeLabel(p.Point)).ToList();
        var traces = Ours(points, labels.Cast<object>().ToList());
        // Paper B, Appendix C: CCL (lines 1–5 of its Table 3) on five backbones, MDACE micro-/macro-F1 — its own panel and axes.
        var byModel = PaperReported.CclAppendixCScaling.GroupBy(v => v.Arm).OrderBy(g => PaperReported.AppendixCParametersBillions[g.Key]).ToList();
        foreach (var (metric, dash) in new[] { ("micro_f1", "solid"), ("macro_f1", "dot") })
            traces.Add(Plot.Trace("scatter", new Dictionary<string, object?>
            {
                ["name"] = $"paper B Appendix C: CCL {metric.Replace('_', '-')} (MDACE)",
                ["mode"] = "lines+markers+text",
                ["x"] = byModel.Select(g => PaperReported.AppendixCParametersBillions[g.Key]).ToArray(),
                ["y"] = byModel.Select(g => g.Single(v => v.Metric == metric).Rate * 100).ToArray(),
                ["text"] = byModel.Select(g => metric == "micro_f1" ? g.Key : "").ToArray(),
                ["textposition"] = "top center",
                ["textfont"] = new Dictionary<string, object?> { ["size"] = 10, ["color"] = "#666666" },
                ["cliponaxis"] = false,
                ["line"] = new Dictionary<string, object?> { ["color"] = FigureStyle.PaperGrey, ["dash"] = dash },
                ["marker"] = new Dictionary<string, object?> { ["color"] = FigureStyle.PaperGrey },
                ["xaxis"] = "x2",
                ["yaxis"] = "y2",
            }));
        var missing = MissingScale(points);
        var layout = FigureStyle.Layout(Plot.Title("Scale curve — System A against backbone size (tfidf-lr: flat reference)", Subtitle(points, missing)),
            "backbone (parameters)", "score on the test split (%)", [0, 105], height: 620);
        TopMargin(layout, missing);
        ((Dictionary<string, object?>)layout["xaxis"]!)["domain"] = new[] { 0.0, 0.56 };
        ((Dictionary<string, object?>)layout["xaxis"]!)["type"] = "category";
        var billions = byModel.Select(g => PaperReported.AppendixCParametersBillions[g.Key]).ToArray();
        layout["xaxis2"] = Merge(FigureStyle.Axis("parameters (billions, log)"), new()
        {
            ["domain"] = new[] { 0.68, 1.0 }, ["type"] = "log", ["anchor"] = "y2",
            ["range"] = new[] { Math.Log10(billions.Min() / 1.6), Math.Log10(billions.Max() * 1.6) },
            ["tickvals"] = billions, ["ticktext"] = billions.Select(b => b.ToString("0.#", CultureInfo.InvariantCulture)).ToArray(),
        });
        layout["yaxis2"] = Merge(FigureStyle.Axis("CCL score on MDACE (%)", [0, 105]), new() { ["anchor"] = "x2" });
        layout["shapes"] = References(points[0]);
        layout["annotations"] = ReferenceLabels(points[0]).Concat(
        [
            PanelTitle("ours: CCL25 Task 8, held-out split", 0.0),
            PanelTitle("paper B Appendix C (other task, for context)", 0.68),
        ]).ToArray();
        return Plot.Chart(traces, layout);
    }

    public static GenericChart? Data(ResultsFolder results)
    {
        var points = CurveResults.Data(CurveResults.Load(results));
        if (points.Count == 0) return null;
        var traces = Ours(points, points.Select(p => (object)p.Point.EntityRecords).ToList());
        var pool = Math.Max(points.Max(p => p.EntityPool), points.Max(p => p.Point.EntityRecords));
        var missing = MissingData(points);
        var raw = points[0].RawTrainRecords;
        var layout = FigureStyle.Layout(Plot.Title("Data curve — System A against its fine-tuning records (tfidf-lr: flat reference)", Subtitle(points, missing)),
            $"entity-view records added to the {raw} raw training records", "score on the test split (%)", [0, 105], height: 620);
        TopMargin(layout, missing);
        ((Dictionary<string, object?>)layout["xaxis"]!)["range"] = new[] { -20.0, pool + 20.0 };
        ((Dictionary<string, object?>)layout["xaxis"]!)["tickvals"] = DataCurveRecords.Where(n => n <= pool).ToArray();
        layout["shapes"] = References(points[0]);
        layout["annotations"] = ReferenceLabels(points[0]).ToArray();
        return Plot.Chart(traces, layout);
    }

    /// <summary>System A's two metrics as lines with 95% CI whiskers.</summary>
    static List<Trace> Ours(IReadOnlyList<CurvePointResult> points, IReadOnlyList<object> x) =>
    [
        Line("System A primary accuracy", points, x, p => p.PrimaryAccuracy, 0),
        Line("System A other-diagnosis F1", points, x, p => p.OtherF1, 1),
    ];

    static Trace Line(string name, IReadOnlyList<CurvePointResult> points, IReadOnlyList<object> x, Func<CurvePointResult, ResultRow?> metric, int colour)
    {
        var rows = points.Select(metric).ToList();
        var keep = rows.Select((r, i) => (Row: r, X: x[i], Point: points[i])).Where(t => t.Row is not null).ToList();
        return Plot.Trace("scatter", new Dictionary<string, object?>
        {
            ["name"] = name,
            ["mode"] = "lines+markers+text",
            ["x"] = keep.Select(t => t.X).ToArray(),
            ["y"] = keep.Select(t => t.Row!.Value * 100).ToArray(),
            ["text"] = keep.Select(t => Pct(t.Row!.Value)).ToArray(),
            ["textposition"] = colour == 0 ? "top right" : "bottom right",
            ["cliponaxis"] = false,
            ["hovertext"] = keep.Select(t => Invariant($"{t.Point.Folder}: {t.Row!.Metric} {t.Row.Value * 100:0.0} [{t.Row.CiLow * 100:0.0}, {t.Row.CiHigh * 100:0.0}], n = {t.Row.N}")).ToArray(),
            ["line"] = new Dictionary<string, object?> { ["color"] = FigureStyle.Palette[colour], ["width"] = 2.5 },
            ["marker"] = new Dictionary<string, object?> { ["color"] = FigureStyle.Palette[colour], ["size"] = 9 },
            ["error_y"] = new Dictionary<string, object?>
            {
                ["type"] = "data", ["symmetric"] = false, ["thickness"] = 1.8, ["width"] = 6, ["color"] = FigureStyle.Palette[colour],
                ["array"] = keep.Select(t => double.IsNaN(t.Row!.CiHigh) ? 0 : Math.Max(0, t.Row.CiHigh - t.Row.Value) * 100).ToArray(),
                ["arrayminus"] = keep.Select(t => double.IsNaN(t.Row!.CiLow) ? 0 : Math.Max(0, t.Row.Value - t.Row.CiLow) * 100).ToArray(),
            },
        });
    }

    /// <summary>tfidf-lr's two metrics (from the reported run; it uses neither the backbone nor the entity-view records) as
    /// dashed lines across our panel, with their 95% CI as a light band.</summary>
    static object[] References(CurvePointResult main) => Peer(main).SelectMany(r => new object[]
    {
        new Dictionary<string, object?>
        {
            ["type"] = "rect", ["xref"] = "x domain", ["yref"] = "y", ["x0"] = 0, ["x1"] = 1,
            ["y0"] = (double.IsNaN(r.Row.CiLow) ? r.Row.Value : r.Row.CiLow) * 100, ["y1"] = (double.IsNaN(r.Row.CiHigh) ? r.Row.Value : r.Row.CiHigh) * 100,
            ["fillcolor"] = FigureStyle.Palette[r.Colour], ["opacity"] = 0.08, ["line"] = new Dictionary<string, object?> { ["width"] = 0 }, ["layer"] = "below",
        },
        new Dictionary<string, object?>
        {
            ["type"] = "line", ["xref"] = "x domain", ["yref"] = "y", ["x0"] = 0, ["x1"] = 1, ["y0"] = r.Row.Value * 100, ["y1"] = r.Row.Value * 100,
            ["line"] = new Dictionary<string, object?> { ["color"] = FigureStyle.Palette[r.Colour], ["dash"] = "dash", ["width"] = 1.8 },
        },
    }).ToArray();

    static IEnumerable<object> ReferenceLabels(CurvePointResult main) => Peer(main).Select(r => (object)new Dictionary<string, object?>
    {
        ["xref"] = "x domain", ["yref"] = "y", ["x"] = 1, ["y"] = r.Row.Value * 100, ["xanchor"] = "right", ["yanchor"] = "bottom", ["showarrow"] = false,
        ["text"] = $"{CurveResults.Peer} {r.Label} {Pct(r.Row.Value)}", ["font"] = new Dictionary<string, object?> { ["size"] = 12, ["color"] = FigureStyle.Palette[r.Colour] },
    });

    static IEnumerable<(ResultRow Row, string Label, int Colour)> Peer(CurvePointResult main)
    {
        if (main.TfidfPrimaryAccuracy is { } p) yield return (p, "primary accuracy", 0);
        if (main.TfidfOtherF1 is { } o) yield return (o, "other-diagnosis F1", 1);
    }

    static Dictionary<string, object?> PanelTitle(string text, double x) => new()
    {
        ["xref"] = "paper", ["yref"] = "paper", ["x"] = x, ["y"] = 1.02, ["xanchor"] = "left", ["yanchor"] = "bottom", ["showarrow"] = false,
        ["text"] = $"<b>{text}</b>", ["font"] = new Dictionary<string, object?> { ["size"] = 13 },
    };

    static string Subtitle(IReadOnlyList<CurvePointResult> points, string? missing)
    {
        var shown = string.Join(", ", points.Select(p => p.Folder));
        var n = points.Select(p => p.PrimaryAccuracy!.N).Distinct().ToList();
        var head = $"{points.Count} point{(points.Count == 1 ? "" : "s")} ({shown}) · n = {string.Join("/", n)} test records · whiskers: 95% CI · {CurveResults.SystemArm}";
        return missing is null ? head : $"{head}<br>missing: {missing}";
    }

    /// <summary>"small (3.5 M)": the size and, when recorded, its parameter count.</summary>
    public static string SizeLabel(CurvePoint point) => point.BackboneParameters is { } n
        ? Invariant($"{point.BackboneSize} ({n / 1e6:0.0} M)") : $"{point.BackboneSize} (parameters not recorded)";

    /// <summary>Room for the subtitle's second line (the commands of the missing points) above the panel titles.</summary>
    static void TopMargin(Dictionary<string, object?> layout, string? missing) =>
        ((Dictionary<string, object?>)layout["margin"]!)["t"] = missing is null ? 110 : 135;

    static Dictionary<string, object?> Merge(Dictionary<string, object?> a, Dictionary<string, object?> b)
    {
        foreach (var (k, v) in b) a[k] = v;
        return a;
    }

    static string Pct(double rate) => (rate * 100).ToString("0.0", CultureInfo.InvariantCulture);

    static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
