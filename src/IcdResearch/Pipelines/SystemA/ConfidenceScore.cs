namespace IcdResearch.Pipelines.SystemA;

/// <summary>
/// Scores of a first-pass primary answer that could gate re-judging: the paper's mean token probability (Lv et al.
/// Lv et al. Eq. 3) and three alternatives — the least certain token, the first token (where the five candidate names diverge),
/// and the first token's margin over the best other token. Higher = more confident for every score.
/// </summary>
public enum ConfidenceScore { MeanTokenProbability, MinTokenProbability, FirstTokenProbability, FirstTokenMargin }

public static class ConfidenceScores
{
    public static IReadOnlyList<ConfidenceScore> All { get; } = Enum.GetValues<ConfidenceScore>();

    public static string Name(this ConfidenceScore score) => score switch
    {
        ConfidenceScore.MeanTokenProbability => "mean_token_probability",
        ConfidenceScore.MinTokenProbability => "min_token_probability",
        ConfidenceScore.FirstTokenProbability => "first_token_probability",
        ConfidenceScore.FirstTokenMargin => "first_token_margin",
        _ => throw new ArgumentOutOfRangeException(nameof(score)),
    };

    /// <summary>The score of one first pass (0 for an answer without tokens; the margin lies in [−1, 1]).</summary>
    public static double Of(this ConfidenceScore score, PrimaryFirstPass first)
    {
        var p = first.TokenProbabilities;
        if (score == ConfidenceScore.MeanTokenProbability) return first.Confidence;
        if (p.Count == 0) return 0;
        return score switch
        {
            ConfidenceScore.MinTokenProbability => p.Min(),
            ConfidenceScore.FirstTokenProbability => p[0],
            ConfidenceScore.FirstTokenMargin => first.RunnerUpProbabilities.Count == 0 ? double.NaN : p[0] - first.RunnerUpProbabilities[0],
            _ => throw new ArgumentOutOfRangeException(nameof(score)),
        };
    }
}
