using IcdResearch.Evaluation;

namespace IcdResearch.Pipelines.SystemA;

/// <summary>
/// Does the confidence score answer the paper's premise — that low confidence marks the wrong primary answers worth
/// re-judging? Per score (<see cref="ConfidenceScore"/>) and split: AUROC for "first-pass primary answer correct"
/// (95% bootstrap CI), and the gate threshold τ that would route every case retrieval fixes (the retrieval-only arm's
/// wrong → right cases): τ = the highest score among them (route when score ≤ τ), with how many cases that gate routes
/// and how many of the retrieval-only arm's right → wrong cases it also lets through. Written to results/calibration.csv.
/// </summary>
public static class ConfidenceCalibration
{
    public const string Experiment = "calibration";

    public static List<ResultRow> Rows(IReadOnlyList<PrimaryOutcome> outcomes, string split, int seed = 42)
    {
        var retrieval = PrimaryAblation.Decide(outcomes, PrimaryArm.RetrievalOnly, ConfidenceThreshold.Paper);
        var correct = outcomes.Select(o => o.First.Code == o.Gold).ToList();
        var fixedIdx = Enumerable.Range(0, outcomes.Count).Where(i => !correct[i] && retrieval[i].Code == outcomes[i].Gold).ToList();
        var brokenIdx = Enumerable.Range(0, outcomes.Count).Where(i => correct[i] && retrieval[i].Code != outcomes[i].Gold).ToList();
        var rows = new List<ResultRow>();
        int n = outcomes.Count;
        foreach (var score in ConfidenceScores.All)
        {
            var values = outcomes.Select(o => score.Of(o.First)).ToList();
            if (values.Any(double.IsNaN)) continue;   // e.g. the margin when the generator recorded no runner-up
            var name = score.Name();
            var auroc = Auroc.Compute(values, correct);
            var (lo, hi) = Auroc.Ci(values, correct, seed);
            rows.Add(new ResultRow
            {
                Experiment = Experiment, Arm = name, Split = split, N = n, Metric = "auroc_primary_correct", Value = auroc, CiLow = lo, CiHigh = hi,
                Note = $"{correct.Count(c => c)} correct / {correct.Count(c => !c)} wrong first-pass answers; 0.5 = chance; CI: bootstrap over cases",
            });
            if (fixedIdx.Count == 0) continue;
            var tau = fixedIdx.Max(i => values[i]);
            var routed = values.Count(v => v <= tau);
            var note = $"route when {name} <= {tau:R}: routes every one of the {fixedIdx.Count} cases retrieval fixes";
            rows.Add(ArmRows.Count(Experiment, name, split, n, "threshold_to_route_fixed", tau, note));
            rows.Add(ArmRows.Count(Experiment, name, split, n, "routed_at_threshold", routed, note));
            rows.Add(ArmRows.Count(Experiment, name, split, n, "broken_at_threshold", brokenIdx.Count(i => values[i] <= tau),
                note + $"; of the {brokenIdx.Count} cases retrieval breaks, this many are also routed"));
        }
        return rows;
    }
}
