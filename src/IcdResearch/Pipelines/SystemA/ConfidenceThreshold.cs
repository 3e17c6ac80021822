namespace IcdResearch.Pipelines.SystemA;

/// <summary>
/// The routing test of system paper §3.1: a primary-diagnosis answer is "uncertain" when its confidence (Eq. 2–3,
/// mean token probability) is below the threshold; the paper uses "confidence &lt; 1". Token probabilities are fp32
/// softmax outputs, so an answer the model is sure of can come out as 0.99999994; <see cref="Tolerance"/> makes the
/// comparison <c>confidence &lt; Threshold − Tolerance</c> (default 1 − 1e-6), so such answers count as confident.
/// </summary>
public sealed record ConfidenceThreshold(double Threshold = 1.0, double Tolerance = 1e-6)
{
    public static ConfidenceThreshold Paper { get; } = new();

    public bool IsUncertain(double confidence) => confidence < Threshold - Tolerance;

    /// <summary>Thresholds swept in the ablation (Figure 4 analogue); 1.0 is the paper's setting.</summary>
    public static IReadOnlyList<double> Sweep { get; } = [0.5, 0.7, 0.8, 0.9, 0.95, 0.99, 0.999, 1.0];

    public override string ToString() => $"confidence < {Threshold:0.###} - {Tolerance:g2}";
}
