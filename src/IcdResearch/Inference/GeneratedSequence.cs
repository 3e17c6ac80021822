namespace IcdResearch.Inference;

public enum FinishReason
{
    /// <summary>A stop token was generated (it is not included in the tokens).</summary>
    Stop,
    /// <summary>MaxNewTokens was reached.</summary>
    Length,
    /// <summary>The constraint allowed no further token and no stop token was available.</summary>
    Constraint,
}

/// <summary>
/// One generated continuation. <see cref="TokenProbabilities"/>[i] is p(token_i | prefix) under the softmax of that
/// step's raw logits — before temperature, top-p and constraint masking — i.e. the model's own probability of the
/// emitted token (Lv et al. Eq. 2). The stop token, if any, is excluded from tokens and probabilities; the
/// sequence-level confidence (Lv et al. Eq. 3) is <see cref="GeneratedAnswer.ConfidenceOf"/>.
/// </summary>
/// <see cref="TopAlternatives"/> (when <see cref="GenerationOptions.TopLogprobs"/> &gt; 0) holds, per generated token,
/// the most probable tokens of that same softmax (OpenAI's <c>top_logprobs</c>).
public sealed record GeneratedSequence(IReadOnlyList<int> Tokens, string Text, IReadOnlyList<double> TokenProbabilities, FinishReason FinishReason,
    IReadOnlyList<IReadOnlyList<TokenProbability>>? TopAlternatives = null);

/// <summary>A token id and its probability under one decoding step's softmax.</summary>
public readonly record struct TokenProbability(int Token, double Probability);
