namespace IcdResearch.Evaluation;

/// <summary>
/// Builds results/*.csv rows from per-record scores: the mean with its seeded bootstrap 95% CI and, when the baseline
/// arm's scores on the same records are given, the p-value of a paired approximate-randomisation test against it.
/// </summary>
public static class ArmRows
{
    public static ResultRow Row(string experiment, string arm, string split, string metric, IReadOnlyList<double> scores,
        IReadOnlyList<double>? baseline = null, string? note = null, int seed = 42)
    {
        var (low, high) = Bootstrap.MeanCi(scores, seed);
        double? p = baseline is null || scores.Count == 0 ? null : PairedTest.ApproximateRandomization(baseline, scores, seed).PValue;
        return new ResultRow
        {
            Experiment = experiment, Arm = arm, Split = split, N = scores.Count, Metric = metric,
            Value = scores.Count == 0 ? double.NaN : scores.Average(), CiLow = low, CiHigh = high, PValue = p, Note = note,
        };
    }

    /// <summary>A count or setting (no CI), e.g. how many cases an arm routed to re-judging.</summary>
    public static ResultRow Count(string experiment, string arm, string split, int n, string metric, double value, string? note = null)
        => new() { Experiment = experiment, Arm = arm, Split = split, N = n, Metric = metric, Value = value, Note = note };
}
