using IcdResearch.Evaluation;
using IcdResearch.Inference;

namespace IcdResearch.Pipelines.SystemA;

/// <summary>
/// Readings of Lv et al.'s "keep the answer when Confidence = 1" (§3.1) as named gates, each run as the confidence-only
/// and confidence + retrieval arms (results/primary.csv, experiment primary_gate, arm "ARM@GATE"):
/// fp32 — confidence &lt; 1 − 1e-6 on our fp32 probabilities (what `icd predict` uses, since our models run in fp32);
/// exact1 — confidence &lt; 1 read literally (no tolerance); bf16 / fp16 — certain only when every generated token's
/// probability rounds to 1.0 in the format the paper's models ran in (p ≳ 0.998 in bf16, ≳ 0.9998 in fp16).
/// The threshold sweep (experiment primary_sweep) covers the rest.
/// </summary>
public static class PrimaryGates
{
    public static IReadOnlyList<(string Name, ConfidenceThreshold Gate)> All { get; } =
    [
        ("fp32", ConfidenceThreshold.Paper),
        ("exact1", ConfidenceThreshold.ExactlyOne),
        ("bf16", ConfidenceThreshold.RoundsToOne(FloatFormat.Bf16)),
        ("fp16", ConfidenceThreshold.RoundsToOne(FloatFormat.Fp16)),
    ];

    /// <summary>Accuracy and routed-case rows of both confidence arms under every gate (p: paired test vs the baseline arm).</summary>
    public static List<ResultRow> Rows(IReadOnlyList<PrimaryOutcome> outcomes, string split, int seed = 42)
    {
        var baseline = PrimaryAblation.Correct(outcomes, PrimaryAblation.Decide(outcomes, PrimaryArm.Baseline, ConfidenceThreshold.Paper));
        var rows = new List<ResultRow>();
        foreach (var (name, gate) in All)
            foreach (var arm in new[] { PrimaryArm.ConfidenceOnly, PrimaryArm.ConfidenceRetrieval })
                rows.AddRange(PrimaryAblation.ArmRows(outcomes, "primary_gate", $"{arm.Name()}@{name}", split, arm, gate, baseline, seed));
        return rows;
    }
}
