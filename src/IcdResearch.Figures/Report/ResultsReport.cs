using System.Globalization;
using System.Text;
using IcdResearch.Evaluation;

namespace IcdResearch.Figures.Report;

/// <summary>
/// Markdown tables of results/*.csv for paper-repro.md, so that every table there is the verbatim output of one
/// command (`icd report --file primary.csv`): one row per arm and split, one column per metric as
/// "value [95% CI]" (and the row's p-value when it has one), and a last column with the paper's printed value for the
/// same arm, split and metric on the rate scale (<see cref="PaperComparison"/>, "rate (printed, source)").
/// </summary>
public static class ResultsReport
{
    /// <summary>The markdown table of one results file (null when the folder has no such file or no rows pass the filters).</summary>
    public static string? Table(ResultsFolder results, string file, string? split = null, IReadOnlyCollection<string>? metrics = null,
        IReadOnlyCollection<string>? arms = null)
    {
        var rows = results.Rows(file)
            .Where(r => split is null || r.Split == split || r.Split.EndsWith("/" + split, StringComparison.Ordinal))
            .Where(r => metrics is null || metrics.Count == 0 || metrics.Contains(r.Metric))
            .Where(r => arms is null || arms.Count == 0 || arms.Contains(r.Arm))
            .ToList();
        if (rows.Count == 0) return null;
        var metricOrder = metrics is { Count: > 0 } ? metrics.Where(m => rows.Any(r => r.Metric == m)).ToList() : rows.Select(r => r.Metric).Distinct().ToList();
        var paper = PaperComparison.Pair(results).Where(p => p.File == file).ToList();
        var groups = rows.GroupBy(r => (r.Arm, r.Split)).ToList();
        var hasPaper = groups.Any(g => paper.Any(p => p.Ours.Arm == g.Key.Arm && p.Ours.Split == g.Key.Split && metricOrder.Contains(p.Ours.Metric)));

        var text = new StringBuilder();
        text.Append("| arm | split | n | ").Append(string.Join(" | ", metricOrder)).Append(hasPaper ? " | paper (rate, printed) |" : " |").AppendLine();
        text.Append("|---|---|---|").Append(string.Concat(metricOrder.Select(_ => "---|"))).Append(hasPaper ? "---|" : "").AppendLine();
        foreach (var g in groups)
        {
            var byMetric = g.GroupBy(r => r.Metric).ToDictionary(m => m.Key, m => m.First());
            var n = g.Select(r => r.N).Distinct().ToList();
            text.Append($"| {g.Key.Arm} | {ShortSplit(g.Key.Split)} | {string.Join("/", n)} | ");
            text.Append(string.Join(" | ", metricOrder.Select(m => byMetric.TryGetValue(m, out var r) ? Cell(r) : "—")));
            if (hasPaper)
            {
                // Per paper table: "A Figure 4: primary_accuracy 0.920 (45.99)", only for the metrics shown.
                var values = paper.Where(p => p.Ours.Arm == g.Key.Arm && p.Ours.Split == g.Key.Split && metricOrder.Contains(p.Ours.Metric))
                    .GroupBy(p => $"{p.Paper.Paper} {p.Paper.Source}")
                    .Select(source => $"{source.Key}: " + string.Join(", ", source.Select(p =>
                        $"{p.Ours.Metric} {F(p.Paper.Rate)} ({p.Paper.Printed.ToString("0.##", CultureInfo.InvariantCulture)})")));
                text.Append(" | ").Append(string.Join("; ", values));
            }
            text.AppendLine(" |");
        }
        return text.ToString();
    }

    /// <summary>Every results file of the folder (sorted), each under a "### file" heading.</summary>
    public static string All(ResultsFolder results, string? split = null)
    {
        var text = new StringBuilder();
        foreach (var path in System.IO.Directory.GetFiles(results.Directory, "*.csv").Order(StringComparer.Ordinal))
        {
            var file = Path.GetFileName(path);
            if (!IsResultsTable(path)) continue;
            if (Table(results, file, split) is { } table) text.AppendLine($"### {file}").AppendLine().Append(table).AppendLine();
        }
        return text.ToString();
    }

    /// <summary>"value [low, high]" with three decimals, "p 0.012" appended when the row carries a p-value; a whole
    /// number without a CI is a count (e.g. `routed` cases) and prints without decimals, 0 included.</summary>
    public static string Cell(ResultRow r)
    {
        var noCi = double.IsNaN(r.CiLow) || double.IsNaN(r.CiHigh);
        var cell = noCi && r.Value == Math.Round(r.Value) ? r.Value.ToString("0", CultureInfo.InvariantCulture)
            : noCi ? F(r.Value) : $"{F(r.Value)} [{F(r.CiLow)}, {F(r.CiHigh)}]";
        if (r.PValue is { } p && !double.IsNaN(p)) cell += p < 0.001 ? " (p < 0.001)" : $" (p {p.ToString("0.000", CultureInfo.InvariantCulture)})";
        return cell;
    }

    /// <summary>Rates with three decimals; counts (whole numbers above 1) and large values without decimals.</summary>
    static string F(double v) => double.IsNaN(v) ? "—"
        : Math.Abs(v) >= 1000 || (Math.Abs(v) > 1 && v == Math.Round(v)) ? v.ToString("0", CultureInfo.InvariantCulture)
        : v.ToString("0.000", CultureInfo.InvariantCulture);

    static string ShortSplit(string split) => split.Contains('/') ? split[(split.LastIndexOf('/') + 1)..] : split;

    static bool IsResultsTable(string path)
    {
        using var reader = new StreamReader(path);
        return reader.ReadLine()?.StartsWith("experiment,arm,split,n,metric,value", StringComparison.Ordinal) == true;
    }
}
