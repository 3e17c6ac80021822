using System.Text.Json;
using System.Text.Json.Nodes;
using IcdResearch.Evaluation;

namespace IcdResearch.Figures;

/// <summary>One of our results/*.csv rows next to the paper's printed value for the same arm, split and metric (rate scale).</summary>
public sealed record PaperSideBySide(string File, ResultRow Ours, PaperValue Paper)
{
    /// <summary>Ours minus the paper, both as rates in [0, 1].</summary>
    public double Gap => Ours.Value - Paper.Rate;
}

/// <summary>
/// Pairs every row of results/ that mirrors a printed paper value (<see cref="PaperReported"/>) with it — what
/// `icd reproduce` writes into summary.json ("paper_side_by_side") and the notebooks tabulate. Our arms named after the
/// paper's (e.g. other "ensemble" on test vs Table 2's ensemble test 37.43 / 50) are matched by arm, split and metric.
/// </summary>
public static class PaperComparison
{
    /// <summary>Which results file mirrors which printed values (paper A: Figure 4, Table 2, Table 3; paper B: Tables 1, 3, 4).</summary>
    static readonly (string File, Func<IEnumerable<PaperValue>> Values)[] Sources =
    [
        ("primary.csv", () => [PaperReported.Figure4ConfidenceRetrieval]),
        ("other.csv", () => PaperReported.Table2Other),
        ("overall.csv", () => [PaperReported.FinalScore]),
        ("ccl_ablation.csv", () => [.. PaperReported.CclTable3, .. PaperReported.CclTable1.Where(v => v.Source.Contains("Llama", StringComparison.Ordinal) && v.Arm == "human_evidence")]),
        ("ccl_evidence.csv", () => PaperReported.CclTable4),
    ];

    public static List<PaperSideBySide> Pair(ResultsFolder results)
    {
        var pairs = new List<PaperSideBySide>();
        foreach (var (file, values) in Sources)
        {
            var rows = results.Rows(file);
            foreach (var v in values())
            {
                var ours = rows.FirstOrDefault(r => r.Arm == v.Arm && r.Split == v.Split && Matches(r.Metric, v.Metric));
                if (ours is not null) pairs.Add(new PaperSideBySide(file, ours, v));
            }
        }
        return pairs;
    }

    /// <summary>
    /// Adds "paper_side_by_side" to OUT/summary.json (what `icd reproduce` does after its runs): every result row that
    /// mirrors a printed paper value, with that value on the same rate scale.
    /// </summary>
    public static void AddToSummary(string outDir)
    {
        var path = Path.Combine(outDir, "summary.json");
        var summary = File.Exists(path) ? JsonNode.Parse(IO.InputText.ReadAllText(path)) as JsonObject ?? new JsonObject() : new JsonObject();
        summary["paper_side_by_side"] = new JsonArray(Pair(new ResultsFolder(outDir)).Select(p => (JsonNode)new JsonObject
        {
            ["file"] = p.File, ["arm"] = p.Ours.Arm, ["split"] = p.Ours.Split, ["metric"] = p.Ours.Metric, ["n"] = p.Ours.N,
            ["ours"] = p.Ours.Value, ["ours_ci_low"] = double.IsNaN(p.Ours.CiLow) ? null : p.Ours.CiLow, ["ours_ci_high"] = double.IsNaN(p.Ours.CiHigh) ? null : p.Ours.CiHigh,
            ["paper"] = $"{p.Paper.Paper}: {p.Paper.Source}", ["paper_printed"] = p.Paper.Printed, ["paper_scale"] = p.Paper.Scale.Describe(), ["paper_rate"] = p.Paper.Rate,
        }).ToArray());
        IO.AtomicFile.WriteAllText(path, summary.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }));
    }

    /// <summary>Our evidence metrics carry the matching rule (evidence_f1_exact); the paper's are judged leniently (GPT-5.1), so the relaxed match mirrors them.</summary>
    static bool Matches(string ours, string paper) => ours == paper || ours == paper + "_relaxed";
}
