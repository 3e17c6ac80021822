using System.Text.Json.Serialization;

namespace IcdResearch.Modeling;

/// <summary>
/// HF <c>rope_scaling</c> / <c>rope_parameters</c>. Implemented: <c>default</c>, <c>linear</c> (positions divided by
/// <c>factor</c>) and <c>llama3</c> (Llama-3.1's frequency-dependent interpolation); anything else is rejected.
/// </summary>
public sealed class RopeScaling
{
    [JsonPropertyName("rope_type")] public string? RopeType { get; set; }
    [JsonPropertyName("type")] public string? LegacyType { get; set; }
    [JsonPropertyName("rope_theta")] public double? RopeTheta { get; set; }
    [JsonPropertyName("factor")] public double? Factor { get; set; }
    [JsonPropertyName("low_freq_factor")] public double? LowFreqFactor { get; set; }
    [JsonPropertyName("high_freq_factor")] public double? HighFreqFactor { get; set; }
    [JsonPropertyName("original_max_position_embeddings")] public int? OriginalMaxPositionEmbeddings { get; set; }
    [JsonPropertyName("attention_factor")] public double? AttentionFactor { get; set; }

    [JsonIgnore] public string? Type => RopeType ?? LegacyType;

    /// <summary>Why this scaling cannot be honoured, or null when it can.</summary>
    public string? Problem() => Type switch
    {
        null or "default" => null,
        "linear" when Factor is > 0 && AttentionFactor is null or 1.0 => null,
        "llama3" when Factor is > 0 && LowFreqFactor is > 0 && HighFreqFactor > LowFreqFactor && OriginalMaxPositionEmbeddings is > 0
                      && AttentionFactor is null or 1.0 => null,
        "linear" or "llama3" => $"rope_scaling type '{Type}' is missing or has invalid factor/low_freq_factor/high_freq_factor/original_max_position_embeddings/attention_factor",
        _ => $"rope_scaling type '{Type}' is not supported (supported: default, linear, llama3)",
    };

    /// <summary>Applies the scaling to the default inverse frequencies θ^(-2i/d) (HF <c>_compute_*_parameters</c>).</summary>
    public double[] Apply(double[] invFreq)
    {
        switch (Type)
        {
            case "linear":
                return invFreq.Select(f => f / Factor!.Value).ToArray();
            case "llama3":
                double factor = Factor!.Value, low = LowFreqFactor!.Value, high = HighFreqFactor!.Value;
                double oldContext = OriginalMaxPositionEmbeddings!.Value;
                double lowFreqWavelen = oldContext / low, highFreqWavelen = oldContext / high;
                return invFreq.Select(f =>
                {
                    var wavelen = 2 * Math.PI / f;
                    if (wavelen < highFreqWavelen) return f;           // high frequencies: unchanged
                    if (wavelen > lowFreqWavelen) return f / factor;   // low frequencies: fully interpolated
                    var smooth = (oldContext / wavelen - low) / (high - low);
                    return (1 - smooth) * f / factor + smooth * f;     // medium: blend
                }).ToArray();
            default:
                return invFreq;
        }
    }
}
