namespace IcdResearch.Evaluation;

/// <summary>Result of comparing arm B with arm A on the same records: Δ = mean(B) − mean(A), its 95% CI and a two-sided p-value.</summary>
public sealed record PairedComparison(int N, double MeanA, double MeanB, double Delta, double CiLow, double CiHigh, double PValue, string Method);

/// <summary>
/// Significance of the difference between two systems scored on the same records (per-record scores, paired by index).
/// <see cref="Bootstrap"/>: paired bootstrap with the null-shifted statistic (Berg-Kirkpatrick et al. 2012);
/// <see cref="ApproximateRandomization"/>: swap each record's two scores with probability ½ (Noreen 1989).
/// Both are seeded and add one to numerator and denominator, so p is never exactly 0.
/// </summary>
public static class PairedTest
{
    public static PairedComparison Bootstrap(IReadOnlyList<double> a, IReadOnlyList<double> b, int seed = 42, int resamples = Evaluation.Bootstrap.DefaultResamples)
    {
        var d = Differences(a, b);
        var observed = d.Average();
        var deltas = Evaluation.Bootstrap.ResampledMeans(d, seed, resamples);
        // Under H0 the resampled deltas are centred on 0: count how often |δ* − δ| reaches |δ|.
        var extreme = deltas.Count(x => Math.Abs(x - observed) >= Math.Abs(observed) - 1e-12);
        Array.Sort(deltas);
        return new PairedComparison(d.Length, a.Average(), b.Average(), observed,
            Evaluation.Bootstrap.Quantile(deltas, 0.025), Evaluation.Bootstrap.Quantile(deltas, 0.975),
            (extreme + 1.0) / (resamples + 1.0), "paired bootstrap");
    }

    public static PairedComparison ApproximateRandomization(IReadOnlyList<double> a, IReadOnlyList<double> b, int seed = 42, int trials = 10_000)
    {
        var d = Differences(a, b);
        var observed = d.Average();
        var random = new Random(seed);
        var extreme = 0;
        for (var t = 0; t < trials; t++)
        {
            double sum = 0;
            foreach (var x in d) sum += random.Next(2) == 0 ? x : -x;
            if (Math.Abs(sum / d.Length) >= Math.Abs(observed) - 1e-12) extreme++;
        }
        var (low, high) = Evaluation.Bootstrap.MeanCi(d, seed);
        return new PairedComparison(d.Length, a.Average(), b.Average(), observed, low, high,
            (extreme + 1.0) / (trials + 1.0), "approximate randomization");
    }

    static double[] Differences(IReadOnlyList<double> a, IReadOnlyList<double> b)
    {
        if (a.Count != b.Count) throw new ArgumentException($"paired scores need the same records: {a.Count} vs {b.Count} scores");
        if (a.Count == 0) throw new ArgumentException("no records to compare");
        return a.Zip(b, (x, y) => y - x).ToArray();
    }
}
