namespace IcdResearch.Evaluation;

/// <summary>
/// Seeded percentile bootstrap over records: resample the n per-record scores with replacement, take the mean, and read
/// the (1−level)/2 and (1+level)/2 quantiles of the resampled means (linear interpolation, as numpy's default).
/// </summary>
public static class Bootstrap
{
    public const int DefaultResamples = 10_000;

    /// <summary>The mean of <paramref name="scores"/> and its bootstrap confidence interval.</summary>
    public static (double Low, double High) MeanCi(IReadOnlyList<double> scores, int seed = 42, int resamples = DefaultResamples, double level = 0.95)
    {
        if (scores.Count == 0) return (double.NaN, double.NaN);
        var means = ResampledMeans(scores, seed, resamples);
        Array.Sort(means);
        return (Quantile(means, (1 - level) / 2), Quantile(means, (1 + level) / 2));
    }

    /// <summary>The means of <paramref name="resamples"/> with-replacement resamples (deterministic for a seed).</summary>
    public static double[] ResampledMeans(IReadOnlyList<double> scores, int seed, int resamples)
    {
        if (resamples < 1) throw new ArgumentOutOfRangeException(nameof(resamples), "need at least one resample");
        var random = new Random(seed);
        var n = scores.Count;
        var means = new double[resamples];
        for (var b = 0; b < resamples; b++)
        {
            double sum = 0;
            for (var i = 0; i < n; i++) sum += scores[random.Next(n)];
            means[b] = sum / n;
        }
        return means;
    }

    /// <summary>Quantile of sorted values with linear interpolation between closest ranks (position q·(m−1)).</summary>
    public static double Quantile(IReadOnlyList<double> sorted, double q)
    {
        if (sorted.Count == 0) return double.NaN;
        var position = q * (sorted.Count - 1);
        var lower = (int)Math.Floor(position);
        var upper = Math.Min(lower + 1, sorted.Count - 1);
        return sorted[lower] + (position - lower) * (sorted[upper] - sorted[lower]);
    }
}
