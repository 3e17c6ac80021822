using IcdResearch.Evaluation;

namespace IcdResearch.Pipelines.SystemA;

/// <summary>Everything the primary-diagnosis arms need for one record, computed once (re-judge answers only where some arm routes).</summary>
public sealed record PrimaryOutcome(string Id, string Gold, PrimaryFirstPass First, string NeighbourCode, string? RejudgedWithExample, string? RejudgedWithoutExample);

/// <summary>
/// The primary-diagnosis ablation of system paper §4 / Figure 4 on precomputed per-record outputs: every arm at the
/// paper's threshold, and the threshold sweep of the two confidence-based arms. Rows report accuracy (95% CI, paired
/// test against the baseline arm) and how many cases each arm routed to the re-judge model, and how many of those
/// it fixed (wrong → right) or broke (right → wrong).
/// </summary>
public static class PrimaryAblation
{
    public static List<PrimaryDecision> Decide(IReadOnlyList<PrimaryOutcome> outcomes, PrimaryArm arm, ConfidenceThreshold threshold)
        => outcomes.Select(o => PrimaryRouter.Decide(arm, o.First, o.NeighbourCode, threshold,
            () => o.RejudgedWithExample ?? throw new InvalidOperationException($"record {o.Id}: re-judge (with example) answer was not computed"),
            () => o.RejudgedWithoutExample ?? throw new InvalidOperationException($"record {o.Id}: re-judge (without example) answer was not computed"))).ToList();

    /// <summary>
    /// Which records need which re-judge answers so that every arm of <paramref name="arms"/> at every threshold ≤
    /// <paramref name="maxThreshold"/> can be decided (a record uncertain at a lower threshold is uncertain at the maximum).
    /// </summary>
    public static (List<int> WithExample, List<int> WithoutExample) Needed(IReadOnlyList<PrimaryFirstPass> first, IReadOnlyList<string> neighbours,
        IReadOnlyCollection<PrimaryArm> arms, ConfidenceThreshold maxThreshold)
    {
        var with = new List<int>(); var without = new List<int>();
        for (var i = 0; i < first.Count; i++)
        {
            var routes = arms.Select(arm => PrimaryRouter.Route(arm, first[i], neighbours[i], maxThreshold)).ToHashSet();
            if (routes.Contains(PrimaryRoute.RejudgedWithExample)) with.Add(i);
            if (routes.Contains(PrimaryRoute.RejudgedWithoutExample)) without.Add(i);
        }
        return (with, without);
    }

    public static List<double> Correct(IReadOnlyList<PrimaryOutcome> outcomes, IReadOnlyList<PrimaryDecision> decisions)
        => outcomes.Select((o, i) => decisions[i].Code == o.Gold ? 1.0 : 0.0).ToList();

    public static List<ResultRow> Rows(IReadOnlyList<PrimaryOutcome> outcomes, string split, ConfidenceThreshold paper, IEnumerable<double> sweep, int seed = 42)
    {
        var rows = new List<ResultRow>();
        var baseline = Correct(outcomes, Decide(outcomes, PrimaryArm.Baseline, paper));
        foreach (var arm in PrimaryArms.All)
            rows.AddRange(ArmRows(outcomes, "primary", arm.Name(), split, arm, paper, baseline, seed));
        foreach (var t in sweep)
            foreach (var arm in new[] { PrimaryArm.ConfidenceOnly, PrimaryArm.ConfidenceRetrieval })
                rows.AddRange(ArmRows(outcomes, "primary_sweep", $"{arm.Name()}@{t:0.###}", split, arm, paper with { Threshold = t }, baseline, seed));
        return rows;
    }

    internal static IEnumerable<ResultRow> ArmRows(IReadOnlyList<PrimaryOutcome> outcomes, string experiment, string name, string split, PrimaryArm arm,
        ConfidenceThreshold threshold, IReadOnlyList<double> baseline, int seed)
    {
        var decisions = Decide(outcomes, arm, threshold);
        var correct = Correct(outcomes, decisions);
        var routed = decisions.Count(d => d.Rejudged);
        var fixedCount = outcomes.Where((o, i) => decisions[i].Rejudged && o.First.Code != o.Gold && decisions[i].Code == o.Gold).Count();
        var broken = outcomes.Where((o, i) => decisions[i].Rejudged && o.First.Code == o.Gold && decisions[i].Code != o.Gold).Count();
        var note = $"{threshold}; routed {routed}/{outcomes.Count}, fixed {fixedCount}, broken {broken}";
        yield return Evaluation.ArmRows.Row(experiment, name, split, "primary_accuracy", correct, arm == PrimaryArm.Baseline ? null : baseline, note, seed);
        yield return Evaluation.ArmRows.Count(experiment, name, split, outcomes.Count, "routed", routed, note);
    }
}
