namespace IcdResearch.Pipelines.CodeCentric;

/// <summary>
/// The equal-optimizer-steps control of the CCL ablation (Zhang et al. Table 3): with a fixed number of epochs the mixed
/// arms (lines 4–5: documents + span pairs) take about twice the optimizer updates of the document-only arms (lines
/// 2–3), so a gain could be more training rather than span data. Here a line gets exactly the example budget of line 2
/// (its example count × epochs): the arm's examples in successive seeded shuffles, cut at the budget, trained as a
/// single pass — same number of optimizer steps and a complete learning-rate schedule.
/// </summary>
public static class EqualSteps
{
    /// <summary>Lines given line 2's budget (lines 2–3 already have it: they train on the same documents).</summary>
    public static IReadOnlyList<int> Lines { get; } = [4, 5];

    public static string ArmName(CodeCentricArm arm) => $"{arm.Name}_equal_steps";

    /// <summary><paramref name="budget"/> examples: whole seeded shuffles of <paramref name="examples"/> in turn, the last one cut.</summary>
    public static List<(string Prompt, string Answer)> Schedule(IReadOnlyList<(string Prompt, string Answer)> examples, int budget, int seed)
    {
        if (examples.Count == 0) throw new ArgumentException("no examples to schedule");
        ArgumentOutOfRangeException.ThrowIfNegative(budget);
        var rng = new Random(seed);
        var schedule = new List<(string, string)>(budget);
        while (schedule.Count < budget)
        {
            var order = Enumerable.Range(0, examples.Count).ToArray();
            rng.Shuffle(order);
            schedule.AddRange(order.Take(budget - schedule.Count).Select(i => examples[i]));
        }
        return schedule;
    }
}
