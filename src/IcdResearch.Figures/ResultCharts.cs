using System.Globalization;
using System.Text.RegularExpressions;
using IcdResearch.Evaluation;
using Plotly.NET;

namespace IcdResearch.Figures;

/// <summary>
/// Chart builders over ResultRow sets: grouped bars with 95% CI error bars (Figures 4 and 5, Table 2), parameter
/// sweeps, the reliability diagram and the leaderboard. Rates in [0, 1] are drawn as percentages.
/// </summary>
public static partial class ResultCharts
{
    /// <summary>Bars of <paramref name="rows"/>: one group per <paramref name="x"/> value, one colour per
    /// <paramref name="series"/> value, CI whiskers where ci_low/ci_high are given.</summary>
    public static GenericChart GroupedBars(IReadOnlyList<ResultRow> rows, Func<ResultRow, string> x, Func<ResultRow, string> series,
        string title, string yTitle, string xTitle = "")
    {
        if (rows.Count == 0) throw new ArgumentException($"{title}: no result rows to draw.");
        var scale = ScaleFor(rows);
        var categories = rows.Select(x).Distinct().ToList();
        var traces = rows.GroupBy(series).Select((group, i) =>
        {
            var byX = group.ToDictionary(x);
            var cells = categories.Select(c => byX.GetValueOrDefault(c)).ToList();
            return Plot.Trace("bar", new Dictionary<string, object?>
            {
                ["name"] = group.Key,
                ["x"] = categories.Where((_, k) => cells[k] is not null).ToArray(),
                ["y"] = cells.Where(r => r is not null).Select(r => r!.Value * scale).ToArray(),
                ["text"] = cells.Where(r => r is not null).Select(r => Format(r!.Value * scale)).ToArray(),
                ["textposition"] = "inside",
                ["insidetextanchor"] = "start",
                ["hovertext"] = cells.Where(r => r is not null).Select(r => Hover(r!, scale)).ToArray(),
                ["marker"] = new Dictionary<string, object?> { ["color"] = FigureStyle.Palette[i % FigureStyle.Palette.Length] },
                ["error_y"] = ErrorBars(cells.Where(r => r is not null).Select(r => r!).ToList(), scale),
            });
        }).ToList();
        var layout = FigureStyle.Layout(Plot.Title(title, SampleSize(rows)), xTitle, Unit(yTitle, scale), scale == 100 ? [0, 105] : null);
        return Plot.Chart(traces, layout);
    }

    /// <summary>A metric against a swept parameter (confidence threshold, vote threshold), one line per series, with CIs.</summary>
    public static GenericChart Sweep(IReadOnlyList<ResultRow> rows, Func<ResultRow, string> series, string title, string xTitle, string yTitle)
    {
        var points = rows.Select(r => (Row: r, X: SweepParameter(r))).Where(p => p.X is not null).ToList();
        if (points.Count == 0) throw new ArgumentException($"{title}: no rows carry a sweep parameter (arm like 'name@0.9' or note 'threshold=0.9').");
        var scale = ScaleFor(points.Select(p => p.Row).ToList());
        var traces = points.GroupBy(p => series(p.Row)).Select((group, i) =>
        {
            var sorted = group.OrderBy(p => p.X).ToList();
            return Plot.Trace("scatter", new Dictionary<string, object?>
            {
                ["name"] = group.Key,
                ["mode"] = "lines+markers",
                ["x"] = sorted.Select(p => p.X!.Value).ToArray(),
                ["y"] = sorted.Select(p => p.Row.Value * scale).ToArray(),
                ["hovertext"] = sorted.Select(p => Hover(p.Row, scale)).ToArray(),
                ["line"] = new Dictionary<string, object?> { ["color"] = FigureStyle.Palette[i % FigureStyle.Palette.Length], ["width"] = 2.5 },
                ["error_y"] = ErrorBars(sorted.Select(p => p.Row).ToList(), scale, FigureStyle.Palette[i % FigureStyle.Palette.Length]),
            });
        }).ToList();
        var layout = FigureStyle.Layout(Plot.Title(title, SampleSize(points.Select(p => p.Row).ToList())), xTitle, Unit(yTitle, scale));
        return Plot.Chart(traces, layout);
    }

    /// <summary>Reliability diagram: accuracy per confidence bin against the diagonal of perfect calibration;
    /// bar labels give the number of cases per bin, the subtitle the expected calibration error.</summary>
    public static GenericChart Reliability(IReadOnlyList<CaseConfidence> cases, string title, int bins = 10)
    {
        if (cases.Count == 0) throw new ArgumentException($"{title}: no per-case confidences to draw.");
        var stats = Calibration.Bins(cases, bins);
        var filled = stats.Where(b => b.Count > 0).ToList();
        var ece = Calibration.ExpectedCalibrationError(stats);
        var traces = new List<Trace>
        {
            Plot.Trace("bar", new Dictionary<string, object?>
            {
                ["name"] = "accuracy in bin",
                ["x"] = filled.Select(b => (b.Low + b.High) / 2 * 100).ToArray(),
                ["y"] = filled.Select(b => b.Accuracy * 100).ToArray(),
                ["width"] = filled.Select(b => (b.High - b.Low) * 100 * 0.95).ToArray(),
                ["text"] = filled.Select(b => $"n={b.Count}").ToArray(),
                ["textposition"] = "outside",
                ["marker"] = new Dictionary<string, object?> { ["color"] = FigureStyle.Palette[0], ["opacity"] = 0.8 },
            }),
            Plot.Trace("scatter", new Dictionary<string, object?>
            {
                ["name"] = "mean confidence in bin",
                ["mode"] = "markers",
                ["x"] = filled.Select(b => (b.Low + b.High) / 2 * 100).ToArray(),
                ["y"] = filled.Select(b => b.MeanConfidence * 100).ToArray(),
                ["marker"] = new Dictionary<string, object?> { ["color"] = FigureStyle.Palette[1], ["size"] = 11, ["symbol"] = "diamond" },
            }),
            Plot.Trace("scatter", new Dictionary<string, object?>
            {
                ["name"] = "perfect calibration",
                ["mode"] = "lines",
                ["x"] = new[] { 0.0, 100.0 },
                ["y"] = new[] { 0.0, 100.0 },
                ["line"] = new Dictionary<string, object?> { ["color"] = "#444444", ["dash"] = "dash", ["width"] = 1.5 },
            }),
        };
        var subtitle = string.Create(CultureInfo.InvariantCulture, $"n = {cases.Count} cases · {bins} equal-width bins · expected calibration error = {ece * 100:0.0} points");
        var layout = FigureStyle.Layout(Plot.Title(title, subtitle), "token confidence (mean generated-token probability, %)", "primary-diagnosis accuracy (%)", [0, 110]);
        ((Dictionary<string, object?>)layout["xaxis"]!)["range"] = new[] { 0.0, 100.0 };
        return Plot.Chart(traces, layout);
    }

    /// <summary>Horizontal bars: the paper's leaderboard entries in grey next to our rows (with CIs) in colour.</summary>
    public static GenericChart Leaderboard(IReadOnlyList<LeaderboardEntry> paper, IReadOnlyList<ResultRow> ours,
        Func<ResultRow, string> label, string title, string subtitle, string xTitle)
    {
        var scale = ours.Count == 0 ? 100 : ScaleFor(ours);
        var oursSorted = ours.OrderBy(r => r.Value).ToList();
        var paperSorted = paper.OrderBy(p => p.Score).ToList();
        var traces = new List<Trace>
        {
            Plot.Trace("bar", new Dictionary<string, object?>
            {
                ["name"] = "reported in the paper (official test board)",
                ["orientation"] = "h",
                ["y"] = paperSorted.Select(p => p.Entry).ToArray(),
                ["x"] = paperSorted.Select(p => p.Score).ToArray(),
                ["text"] = paperSorted.Select(p => Format(p.Score, "0.00")).ToArray(),
                ["insidetextanchor"] = "start",
                ["textposition"] = "inside",
                ["marker"] = new Dictionary<string, object?> { ["color"] = FigureStyle.PaperGrey },
            }),
        };
        if (oursSorted.Count > 0)
            traces.Add(Plot.Trace("bar", new Dictionary<string, object?>
            {
                ["name"] = "ours (held-out split, 95% CI)",
                ["orientation"] = "h",
                ["y"] = oursSorted.Select(label).ToArray(),
                ["x"] = oursSorted.Select(r => r.Value * scale).ToArray(),
                ["text"] = oursSorted.Select(r => Format(r.Value * scale)).ToArray(),
                ["textposition"] = "inside",
                ["insidetextanchor"] = "start",
                ["hovertext"] = oursSorted.Select(r => Hover(r, scale)).ToArray(),
                ["marker"] = new Dictionary<string, object?> { ["color"] = FigureStyle.Palette[0] },
                ["error_x"] = ErrorBars(oursSorted, scale),
            }));
        var layout = FigureStyle.Layout(Plot.Title(title, subtitle), xTitle, "", null, height: 140 + 34 * (paper.Count + ours.Count));
        ((Dictionary<string, object?>)layout["xaxis"]!)["range"] = new[] { 0.0, 100.0 };
        ((Dictionary<string, object?>)layout["margin"]!)["l"] = 230;
        ((Dictionary<string, object?>)layout["margin"]!)["t"] = 115;
        layout["barmode"] = "overlay";
        ((Dictionary<string, object?>)layout["yaxis"]!)["categoryorder"] = "total ascending";
        return Plot.Chart(traces, layout);
    }

    /// <summary>The swept parameter of a row: the number after '@' in the arm (e.g. "confidence_retrieval@0.95",
    /// "ensemble@7"), else a note of the form "threshold=0.9". Null when the row is not part of a sweep.</summary>
    public static double? SweepParameter(ResultRow row)
    {
        var m = ArmParameter().Match(row.Arm);
        if (!m.Success && row.Note is not null) m = NoteParameter().Match(row.Note);
        return m.Success ? double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : null;
    }

    /// <summary>True when a metric counts cases (routed to re-judging, n) rather than being a rate.</summary>
    public static bool IsCount(string metric) =>
        metric.Contains("routed", StringComparison.OrdinalIgnoreCase) || metric.Contains("count", StringComparison.OrdinalIgnoreCase)
        || metric.StartsWith("n_", StringComparison.OrdinalIgnoreCase);

    /// <summary>100 when every value is a rate in [0, 1] (drawn as %), else 1.</summary>
    public static double ScaleFor(IReadOnlyList<ResultRow> rows) =>
        rows.All(r => !IsCount(r.Metric) && r.Value is >= 0 and <= 1) ? 100 : 1;

    static Dictionary<string, object?>? ErrorBars(IReadOnlyList<ResultRow> rows, double scale, string color = "#222222")
    {
        if (rows.All(r => double.IsNaN(r.CiLow) || double.IsNaN(r.CiHigh))) return null;
        return new Dictionary<string, object?>
        {
            ["type"] = "data",
            ["symmetric"] = false,
            ["array"] = rows.Select(r => double.IsNaN(r.CiHigh) ? 0 : Math.Max(0, r.CiHigh - r.Value) * scale).ToArray(),
            ["arrayminus"] = rows.Select(r => double.IsNaN(r.CiLow) ? 0 : Math.Max(0, r.Value - r.CiLow) * scale).ToArray(),
            ["thickness"] = 1.8,
            ["width"] = 6,
            ["color"] = color,
        };
    }

    static string Unit(string title, double scale) => scale == 100 ? $"{title} (%)" : title;

    static string Format(double v, string format = "0.0") => v.ToString(format, CultureInfo.InvariantCulture);

    static string Hover(ResultRow r, double scale)
    {
        var ci = double.IsNaN(r.CiLow) ? "" : FormattableString.Invariant($" [{r.CiLow * scale:0.##}, {r.CiHigh * scale:0.##}]");
        var p = r.PValue is { } pv ? FormattableString.Invariant($" · p={pv:0.###}") : "";
        return FormattableString.Invariant($"{r.Arm} · {r.Split} · {r.Metric} = {r.Value * scale:0.##}{ci} · n={r.N}{p}");
    }

    /// <summary>"n = 32 (test)" when all rows share n and split; otherwise n per split.</summary>
    static string SampleSize(IReadOnlyList<ResultRow> rows)
    {
        // Paper values (split "paper …", n = 0) are reference marks, not samples of ours.
        var perSplit = rows.Where(r => !r.Split.StartsWith("paper", StringComparison.Ordinal)).GroupBy(r => r.Split).Select(g => (Split: g.Key, Ns: g.Select(r => r.N).Distinct().ToList())).ToList();
        var parts = perSplit.Select(s => s.Ns.Count == 1 ? $"n = {s.Ns[0]} ({s.Split})" : $"n = {s.Ns.Min()}–{s.Ns.Max()} ({s.Split})");
        return string.Join(" · ", parts) + (rows.Any(r => !double.IsNaN(r.CiLow)) ? " · whiskers: 95% CI" : "");
    }

    [GeneratedRegex(@"@\s*([0-9]*\.?[0-9]+)")]
    private static partial Regex ArmParameter();

    [GeneratedRegex(@"^\s*(?:threshold|τ|k)\s*=\s*([0-9]*\.?[0-9]+)")]
    private static partial Regex NoteParameter();
}
