using System.Globalization;
using IcdResearch.Figures;
using IcdResearch.Evaluation;
using Spectre.Console;

namespace IcdResearch.Cli.Reporting;

/// <summary>
/// The closing table of `icd reproduce`: the headline rows found in a results folder (arm, metric, n, value, 95% CI) next
/// to the paper's number on the same 0–1 scale (see /work/shared/papers/reported-numbers.md: Lv et al.'s halves of Eq. 4
/// are out of 50, so 45.99 → primary accuracy 0.920), then where the files are.
/// </summary>
public static class HeadlineTable
{
    /// <summary>One headline: which CSV row, and the paper's printed value it mirrors (null: the paper prints none).</summary>
    public sealed record Headline(string File, string Arm, string Metric, PaperValue? Paper);

    public static readonly IReadOnlyList<Headline> Rows =
    [
        new("overall.csv", "system_a", "acc_f1", null),
        new("overall.csv", "system_a", "acc_recall", PaperReported.FinalScore),
        new("overall.csv", "system_a_tuned", "acc_f1", null),
        new("overall.csv", "system_a", "primary_accuracy", PaperReported.Figure4ConfidenceRetrieval),
        new("overall.csv", "system_a", "other_f1", PaperReported.For(PaperReported.Table2Other, "ensemble", "test", "other_f1")),
        new("overall.csv", "sft_baseline", "acc_f1", null),
        new("baselines.csv", "tfidf-lr", "acc_f1", null),
        new("baselines.csv", "frequency", "acc_f1", null),
        new("ccl_ablation.csv", "silver_synthetic", "micro_f1", PaperReported.For(PaperReported.CclTable3, "silver_synthetic", "test", "micro_f1")),
        new("ccl_ablation.csv", "silver_synthetic", "macro_f1", PaperReported.For(PaperReported.CclTable3, "silver_synthetic", "test", "macro_f1")),
    ];

    /// <summary>The headline rows present in <paramref name="resultsDir"/> (test split only), in <see cref="Rows"/> order.</summary>
    public static List<(Headline Headline, ResultRow Row)> Find(string resultsDir)
    {
        var found = new List<(Headline, ResultRow)>();
        foreach (var file in Rows.Select(h => h.File).Distinct())
        {
            var path = Path.Combine(resultsDir, file);
            if (!File.Exists(path)) continue;
            var rows = ResultsTable.Read(path);
            foreach (var h in Rows.Where(h => h.File == file))
                if (rows.FirstOrDefault(r => r.Arm == h.Arm && r.Metric == h.Metric && r.Split.EndsWith("test", StringComparison.Ordinal)) is { } row)
                    found.Add((h, row));
        }
        return found;
    }

    /// <summary>Writes the table and the files' location to <paramref name="console"/>; nothing when no headline row exists.</summary>
    public static void Write(IAnsiConsole console, string resultsDir, bool synthetic)
    {
        var found = Find(resultsDir);
        if (found.Count == 0) return;
        var c = CultureInfo.InvariantCulture;
        var table = new Table { Border = TableBorder.Simple, Title = new TableTitle("headline results (test split; all values on a 0–1 scale)") };
        table.AddColumns("arm", "metric", "n", "value", "95% CI", "paper", "paper source");
        foreach (var column in table.Columns.Skip(2).Take(4)) column.RightAligned();
        foreach (var (h, r) in found)
            table.AddRow(new[] { r.Arm, r.Metric, r.N.ToString(c), r.Value.ToString("0.000", c),
                double.IsNaN(r.CiLow) ? "" : string.Format(c, "[{0:0.000}, {1:0.000}]", r.CiLow, r.CiHigh),
                h.Paper is { } p ? p.Rate.ToString("0.000", c) : "—",
                h.Paper is { } q ? $"{(q.Paper == "A" ? "Lv et al." : "Zhang et al.")} {q.Source}: {q.Printed.ToString(c)} ({q.Scale.Describe()})" : "" }.Select(cell => new Spectre.Console.Text(cell)));
        console.Write(table);
        if (synthetic) console.WriteLine("SYNTHETIC sample: these numbers test the pipeline; they are not comparable to the papers.");
        else console.WriteLine("Paper values come from 7B/8B backbones (Zhang et al.: English MDACE); see paper-repro.md for the comparison.");
        var full = Path.GetFullPath(resultsDir);
        console.WriteLine($"files: {full}/*.csv (every row with its CI and p-value), {Path.Combine(full, "predictions")}/, {Path.Combine(full, "summary.json")}");
    }
}
