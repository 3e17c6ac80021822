namespace IcdResearch.Evaluation;

/// <summary>
/// Percentile bootstrap for corpus-level statistics that are not means of per-record scores (micro/macro F1, CCL
/// Table 3): resample the records with replacement, recompute the statistic on the resample, and read the quantiles
/// with <see cref="Bootstrap.Quantile"/>. The paired variant resamples the same records for two systems and returns
/// the two-sided p-value of the null-shifted difference (as <see cref="PairedTest.Bootstrap"/> does for means).
/// </summary>
public static class CorpusBootstrap
{
    public static (double Low, double High) Ci(int n, Func<IReadOnlyList<int>, double> statistic, int seed = 42, int resamples = 2000, double level = 0.95)
    {
        if (n == 0) return (double.NaN, double.NaN);
        var values = Resample(n, seed, resamples).Select(statistic).ToArray();
        Array.Sort(values);
        return (Bootstrap.Quantile(values, (1 - level) / 2), Bootstrap.Quantile(values, (1 + level) / 2));
    }

    /// <summary>Two-sided p-value that statistic B − statistic A differs from 0 on the same records.</summary>
    public static double PairedP(int n, Func<IReadOnlyList<int>, double> a, Func<IReadOnlyList<int>, double> b, int seed = 42, int resamples = 2000)
    {
        if (n == 0) return double.NaN;
        var all = Enumerable.Range(0, n).ToArray();
        double observed = b(all) - a(all);
        int extreme = Resample(n, seed, resamples).Count(idx => Math.Abs(b(idx) - a(idx) - observed) >= Math.Abs(observed) - 1e-12);
        return (extreme + 1.0) / (resamples + 1.0);
    }

    static IEnumerable<int[]> Resample(int n, int seed, int resamples)
    {
        var random = new Random(seed);
        for (int b = 0; b < resamples; b++)
        {
            var idx = new int[n];
            for (int i = 0; i < n; i++) idx[i] = random.Next(n);
            yield return idx;
        }
    }
}
