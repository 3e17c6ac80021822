using IcdResearch.Inference;

namespace IcdResearch.Pipelines.SystemA;

/// <summary>
/// The routing test of system paper §3.1: a primary-diagnosis answer is "uncertain" when its confidence (Lv et al.
/// Lv et al. Eq. 3, mean token probability) is below the threshold; the paper keeps an answer only when "Confidence = 1".
/// Token probabilities here are fp32 softmax outputs, so an answer the model is sure of can come out as 0.99999994;
/// <see cref="Tolerance"/> makes the comparison <c>confidence &lt; Threshold − Tolerance</c> (default 1 − 1e-6, i.e.
/// "1 in fp32"), so such answers count as confident. This default is what `icd predict` uses: our models run in fp32.
/// With <see cref="RoundTo"/> set, the test is instead the paper's gate as its bf16/fp16 models most likely computed
/// it: an answer is certain only when every generated token's probability rounds to exactly 1.0 in that format.
/// </summary>
public sealed record ConfidenceThreshold(double Threshold = 1.0, double Tolerance = 1e-6)
{
    public static ConfidenceThreshold Paper { get; } = new();

    /// <summary>"Confidence = 1" read literally on fp32 probabilities (no tolerance).</summary>
    public static ConfidenceThreshold ExactlyOne { get; } = new(1.0, 0);

    /// <summary>"Confidence = 1" as a model running in <paramref name="format"/> stores it: every token probability rounds to 1.</summary>
    public static ConfidenceThreshold RoundsToOne(FloatFormat format) => new(1.0, 0) { RoundTo = format };

    /// <summary>When set, certainty = every token probability rounds to 1.0 in this format (Threshold and Tolerance unused).</summary>
    public FloatFormat? RoundTo { get; init; }

    public bool IsUncertain(double confidence) => confidence < Threshold - Tolerance;

    /// <summary>The gate on a first-pass answer: by its mean confidence, or per token when <see cref="RoundTo"/> is set.</summary>
    public bool IsUncertain(PrimaryFirstPass first) => RoundTo is { } format
        ? first.TokenProbabilities.Count == 0 || first.TokenProbabilities.Any(p => ReducedPrecision.Round(p, format) < 1.0)
        : IsUncertain(first.Confidence);

    /// <summary>Thresholds swept in the ablation (Figure 4 analogue); 1.0 is the paper's setting.</summary>
    public static IReadOnlyList<double> Sweep { get; } = [0.5, 0.7, 0.8, 0.9, 0.95, 0.99, 0.999, 1.0];

    public override string ToString() => RoundTo is { } f
        ? $"every token probability rounds to 1 in {f.ToString().ToLowerInvariant()}"
        : $"confidence < {Threshold:0.###} - {Tolerance:g2}";
}
