namespace IcdResearch.Inference;

/// <summary>Floating-point formats a model may run in (the paper's 7B models: bf16 or fp16; ours: fp32).</summary>
public enum FloatFormat { Fp32, Bf16, Fp16 }

/// <summary>
/// Rounds a probability as a model running in a reduced-precision format would store it (round to nearest, ties to
/// even). Near 1 the spacing is 2⁻⁸ in bf16 and 2⁻¹¹ in fp16, so every p above 1 − 2⁻⁹ ≈ 0.99805 (bf16) or
/// 1 − 2⁻¹² ≈ 0.99976 (fp16) is stored as exactly 1.0 — which is how "Confidence = 1" (Lv et al. Eq. 3) can happen at all.
/// </summary>
public static class ReducedPrecision
{
    public static double Round(double value, FloatFormat format) => format switch
    {
        FloatFormat.Fp32 => (float)value,
        FloatFormat.Fp16 => (double)(Half)(float)value,
        FloatFormat.Bf16 => Bf16((float)value),
        _ => throw new ArgumentOutOfRangeException(nameof(format)),
    };

    /// <summary>The smallest probability that rounds to 1.0 in <paramref name="format"/> (half an ulp below 1, ties to even go up).</summary>
    public static double OneThreshold(FloatFormat format) => format switch
    {
        FloatFormat.Bf16 => 1 - Math.Pow(2, -9),
        FloatFormat.Fp16 => 1 - Math.Pow(2, -12),
        FloatFormat.Fp32 => 1 - Math.Pow(2, -25),
        _ => throw new ArgumentOutOfRangeException(nameof(format)),
    };

    /// <summary>bfloat16 = the top 16 bits of an fp32, rounded to nearest even on the dropped 16 bits.</summary>
    static double Bf16(float value)
    {
        if (float.IsNaN(value)) return double.NaN;
        var bits = BitConverter.SingleToUInt32Bits(value);
        var rounded = (bits + 0x7FFFu + ((bits >> 16) & 1u)) & 0xFFFF0000u;
        return BitConverter.UInt32BitsToSingle(rounded);
    }
}
