namespace IcdResearch.Evaluation;

/// <summary>
/// Statistics across repeated runs (seeds, folds): mean, sample SD, a Student-t 95% CI over runs, and Stouffer's
/// combination of per-run two-sided paired-test p-values into one pooled, signed test.
/// </summary>
public static class SeedStatistics
{
    public static double Mean(IReadOnlyList<double> v) => v.Count == 0 ? double.NaN : v.Average();

    /// <summary>Sample standard deviation (n − 1); NaN for fewer than two values.</summary>
    public static double Sd(IReadOnlyList<double> v)
    {
        if (v.Count < 2) return double.NaN;
        var m = v.Average();
        return Math.Sqrt(v.Sum(x => (x - m) * (x - m)) / (v.Count - 1));
    }

    /// <summary>mean ± t(0.975, k−1)·SD/√k over the k runs (NaN for fewer than two runs).</summary>
    public static (double Low, double High) TCi(IReadOnlyList<double> v)
    {
        if (v.Count < 2) return (double.NaN, double.NaN);
        var half = TQuantile975(v.Count - 1) * Sd(v) / Math.Sqrt(v.Count);
        var m = v.Average();
        return (m - half, m + half);
    }

    /// <summary>Two-sided 97.5 % quantile of Student's t (table for 1–30 degrees of freedom, then the normal 1.96).</summary>
    public static double TQuantile975(int df) => df switch
    {
        < 1 => double.NaN,
        <= 30 => T975[df - 1],
        _ => 1.959964,
    };

    static readonly double[] T975 =
    [
        12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145, 2.131,
        2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
    ];

    /// <summary>
    /// Stouffer's pooled test: each run's two-sided p and the sign of its delta give z = sign·Φ⁻¹(1 − p/2); the pooled
    /// Z = Σz/√k and its two-sided p = 2(1 − Φ(|Z|)). Deltas of opposite signs cancel, as they should.
    /// </summary>
    public static (double Z, double P) Stouffer(IReadOnlyList<(double Delta, double P)> runs)
    {
        if (runs.Count == 0) return (double.NaN, double.NaN);
        var z = runs.Sum(r => Math.Sign(r.Delta) * NormalQuantile(1 - Math.Clamp(r.P, 1e-300, 1) / 2)) / Math.Sqrt(runs.Count);
        return (z, 2 * (1 - NormalCdf(Math.Abs(z))));
    }

    /// <summary>Φ(x) via erfc (W. J. Cody's rational approximations are overkill here: Abramowitz–Stegun 7.1.26, |error| &lt; 1.5e-7).</summary>
    public static double NormalCdf(double x)
    {
        var t = 1 / (1 + 0.3275911 * Math.Abs(x) / Math.Sqrt(2));
        var erfc = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))) * Math.Exp(-x * x / 2);
        return x >= 0 ? 1 - erfc / 2 : erfc / 2;
    }

    /// <summary>Φ⁻¹(q) by bisection on <see cref="NormalCdf"/> (q in (0, 1)).</summary>
    public static double NormalQuantile(double q)
    {
        if (q <= 0) return double.NegativeInfinity;
        if (q >= 1) return double.PositiveInfinity;
        double lo = -40, hi = 40;
        for (var i = 0; i < 200; i++)
        {
            var mid = (lo + hi) / 2;
            if (NormalCdf(mid) < q) lo = mid; else hi = mid;
        }
        return (lo + hi) / 2;
    }
}
