using IcdResearch.Inference.Constraints;

namespace IcdResearch.Pipelines.SystemA;

/// <summary>One generated answer and the probability of each generated token under that step's softmax (Eq. 2).</summary>
public sealed record GeneratedAnswer(string Text, IReadOnlyList<double> TokenProbabilities)
{
    /// <summary>System paper §3.1, Eq. 3: confidence = mean probability of the generated tokens (0 for an empty answer).</summary>
    public double Confidence => TokenProbabilities.Count == 0 ? 0 : TokenProbabilities.Average();

    /// <summary>Per generated token: the highest probability any other token had at that step (empty when not recorded).</summary>
    public IReadOnlyList<double> RunnerUpProbabilities { get; init; } = [];
}

/// <summary>A (fine-tuned) language model as System A uses it: greedy or sampled answers under an <see cref="AnswerGrammar"/>.</summary>
public interface IAnswerGenerator
{
    /// <summary>Greedy answers, one per prompt (prompts are user turns; the implementation applies the chat template).</summary>
    IReadOnlyList<GeneratedAnswer> Greedy(IReadOnlyList<string> prompts, IReadOnlyList<AnswerGrammar> grammars);

    /// <summary><paramref name="count"/> sampled answers for one prompt (temperature / top-p of the implementation, seeded).</summary>
    IReadOnlyList<GeneratedAnswer> Sample(string prompt, AnswerGrammar grammar, int count, int seed);
}
