using IcdResearch.Inference.Constraints;

namespace IcdResearch.Inference;

/// <summary>One generated answer and the probability of each generated token under that step's softmax (Lv et al. Eq. 2).</summary>
public sealed record GeneratedAnswer(string Text, IReadOnlyList<double> TokenProbabilities)
{
    /// <summary>Lv et al. §3.1, Eq. 3: confidence = mean probability of the generated tokens (0 for an empty answer).</summary>
    public double Confidence => ConfidenceOf(TokenProbabilities);

    /// <summary>Lv et al. Eq. 3 over any token probabilities (the one place it is computed).</summary>
    public static double ConfidenceOf(IReadOnlyList<double> tokenProbabilities)
        => tokenProbabilities.Count == 0 ? 0 : tokenProbabilities.Average();

    /// <summary>Per generated token: the highest probability any other token had at that step (empty when not recorded).</summary>
    public IReadOnlyList<double> RunnerUpProbabilities { get; init; } = [];
}

/// <summary>
/// A (fine-tuned) language model as every experiment uses it: greedy or sampled answers to user prompts under an
/// <see cref="AnswerGrammar"/>. <see cref="LanguageModel"/> is the implementation; tests supply deterministic fakes.
/// </summary>
public interface IAnswerGenerator
{
    /// <summary>
    /// Greedy answers, one per prompt (prompts are user turns; the implementation renders them as fine-tuning did).
    /// <paramref name="answerPrefixes"/> (entries may be null) are forced at the start of the assistant turn and are not
    /// part of the returned text; <paramref name="maxNewTokens"/> overrides the grammar's own length cap.
    /// </summary>
    IReadOnlyList<GeneratedAnswer> Greedy(IReadOnlyList<string> prompts, IReadOnlyList<AnswerGrammar> grammars,
        IReadOnlyList<string?>? answerPrefixes = null, int? maxNewTokens = null);

    /// <summary><paramref name="count"/> sampled answers for one prompt (temperature / top-p of the implementation, seeded).</summary>
    IReadOnlyList<GeneratedAnswer> Sample(string prompt, AnswerGrammar grammar, int count, int seed);
}
