namespace IcdResearch.Modeling;

/// <summary>
/// The 4-bit NormalFloat (NF4) data type of QLoRA (Dettmers et al. 2023, "QLoRA: Efficient Finetuning of Quantized
/// LLMs", §3 "4-bit NormalFloat Quantization" and Appendix E). Each of the 16 values is an equal-probability quantile of
/// N(0,1) rescaled to [-1, 1], with an exact zero: 8 quantiles for the positive half, 7 for the negative half.
/// </summary>
public static class Nf4
{
    /// <summary>Number of quantisation levels (4 bits).</summary>
    public const int Levels = 16;

    /// <summary>The NF4 code book as published in QLoRA Appendix E (and used by bitsandbytes), ascending.</summary>
    public static IReadOnlyList<float> CodeBook { get; } =
    [
        -1.0f, -0.6961928009986877f, -0.5250730514526367f, -0.39491748809814453f,
        -0.28444138169288635f, -0.18477343022823334f, -0.09105003625154495f, 0.0f,
        0.07958029955625534f, 0.16093020141124725f, 0.24611230194568634f, 0.33791524171829224f,
        0.44070982933044434f, 0.5626170039176941f, 0.7229568362236023f, 1.0f,
    ];

    /// <summary>
    /// Decision thresholds between neighbouring code values (15 midpoints): a normalised weight x gets the code
    /// <c>#{ midpoints &lt; x }</c>, i.e. the nearest code value.
    /// </summary>
    public static float[] Midpoints() => Enumerable.Range(0, Levels - 1).Select(i => (CodeBook[i] + CodeBook[i + 1]) / 2).ToArray();

    /// <summary>
    /// Rebuilds the code book from its definition (QLoRA Lv et al. Eq. 4 with the asymmetric split of Appendix E):
    /// positive values Φ⁻¹ of 8 evenly spaced probabilities from 0.5 to <paramref name="offset"/> (0.5 excluded),
    /// negative values −Φ⁻¹ of 7 such probabilities, plus 0; all divided by the largest magnitude.
    /// The offset ½(1/(2·15) + 1 − 1/(2·16)) = 0.9677 keeps the extreme quantile finite.
    /// </summary>
    public static double[] FromNormalQuantiles(double offset = 0.9677083)
    {
        static IEnumerable<double> Spaced(double from, double to, int count) =>
            Enumerable.Range(0, count).Select(i => from + (to - from) * i / (count - 1));
        var positive = Spaced(offset, 0.5, 9).Take(8).Select(InverseNormalCdf);
        var negative = Spaced(offset, 0.5, 8).Take(7).Select(p => -InverseNormalCdf(p));
        var values = positive.Concat(negative).Append(0.0).Order().ToArray();
        var max = values.Max(Math.Abs);
        return values.Select(v => v / max).ToArray();
    }

    /// <summary>Φ⁻¹(p) by Acklam's rational approximation (relative error &lt; 1.2e-9), enough for float32 code values.</summary>
    public static double InverseNormalCdf(double p)
    {
        if (p <= 0 || p >= 1) throw new ArgumentOutOfRangeException(nameof(p), p, "probability must be in (0, 1)");
        double[] a = [-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02, 1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00];
        double[] b = [-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771972e+01, -1.328068155288572e+01];
        double[] c = [-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00, -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00];
        double[] d = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00];
        const double low = 0.02425;
        if (p < low)
        {
            var q = Math.Sqrt(-2 * Math.Log(p));
            return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
        }
        if (p > 1 - low) return -InverseNormalCdf(1 - p);
        var r = p - 0.5;
        var s = r * r;
        return (((((a[0] * s + a[1]) * s + a[2]) * s + a[3]) * s + a[4]) * s + a[5]) * r / (((((b[0] * s + b[1]) * s + b[2]) * s + b[3]) * s + b[4]) * s + 1);
    }
}
