using IcdResearch.Inference;
using IcdResearch.Modeling;
using IcdResearch.Text;
using IcdResearch.Tuning;
using IcdResearch.Inference.Constraints;

namespace IcdResearch.Pipelines.SystemA;

/// <summary>
/// <see cref="IAnswerGenerator"/> over the project's <see cref="Generator"/>: prompts are rendered exactly as in
/// fine-tuning (<see cref="SftEncoder"/>: chat template with generation prompt), decoding is constrained by the answer
/// grammar, and each answer carries its per-token probabilities (Eq. 2). Prompts sharing one grammar object are batched;
/// sampling uses temperature <see cref="Temperature"/> and nucleus <see cref="TopP"/>, seeded.
/// </summary>
public sealed class LmAnswerGenerator(CausalLM model, ITextTokenizer tokenizer, int batchSize = 8) : IAnswerGenerator
{
    readonly Generator _generator = new(model, tokenizer);
    readonly SftEncoder _encoder = new(tokenizer, int.MaxValue);

    public double Temperature { get; init; } = 0.8;
    public double TopP { get; init; } = 0.95;

    public IReadOnlyList<GeneratedAnswer> Greedy(IReadOnlyList<string> prompts, IReadOnlyList<AnswerGrammar> grammars)
    {
        var answers = new GeneratedAnswer[prompts.Count];
        var i = 0;
        while (i < prompts.Count)
        {
            // A run of prompts with the same grammar object shares one constrained batch.
            var j = i + 1;
            while (j < prompts.Count && j - i < batchSize && ReferenceEquals(grammars[j], grammars[i])) j++;
            var batch = Enumerable.Range(i, j - i).ToList();
            var outputs = _generator.Generate(batch.Select(k => Encode(prompts[k])).ToList(), Options(grammars[i], sample: false, seed: 0));
            for (var k = 0; k < batch.Count; k++) answers[batch[k]] = ToAnswer(outputs[k], grammars[i]);
            i = j;
        }
        return answers;
    }

    public IReadOnlyList<GeneratedAnswer> Sample(string prompt, AnswerGrammar grammar, int count, int seed)
    {
        var ids = Encode(prompt);
        return _generator.Generate(Enumerable.Repeat(ids, count).ToList(), Options(grammar, sample: true, seed)).Select(s => ToAnswer(s, grammar)).ToList();
    }

    IReadOnlyList<int> Encode(string prompt) => _encoder.Render(new SftExample(prompt, "")).Prompt;

    GenerationOptions Options(AnswerGrammar grammar, bool sample, int seed) => new()
    {
        MaxNewTokens = MaxNewTokens(grammar),
        DoSample = sample,
        Temperature = Temperature,
        TopP = TopP,
        Seed = seed,
        Constraint = grammar is AnswerGrammar.Free ? null : new GrammarDecodingConstraint(grammar, tokenizer),
    };

    /// <summary>A cap on answer length that every valid answer fits under.</summary>
    int MaxNewTokens(AnswerGrammar grammar) => grammar switch
    {
        AnswerGrammar.OneName g => g.Names.Max(n => tokenizer.Encode(n).Count) + 1,
        AnswerGrammar.NameSet g => Math.Min(1024, g.Names.Sum(n => tokenizer.Encode(n).Count + 1) + 2),
        AnswerGrammar.BracketCopy g => 3 * tokenizer.Encode(g.Source).Count + 2,
        _ => 128,
    };

    /// <summary>
    /// The answer text with every name restored to its exact spelling: a name with characters outside the vocabulary
    /// decodes with &lt;unk&gt;, so decoded pieces are mapped back through decode(encode(name)).
    /// </summary>
    GeneratedAnswer ToAnswer(GeneratedSequence s, AnswerGrammar grammar)
    {
        IReadOnlyList<string>? names = grammar switch { AnswerGrammar.OneName g => g.Names, AnswerGrammar.NameSet g => g.Names, _ => null };
        if (names is null) return new(s.Text, s.TokenProbabilities);
        var byDecoded = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var n in names) byDecoded.TryAdd(tokenizer.Decode(tokenizer.Encode(n)), n);
        var pieces = s.Text.Split(DiseaseCandidates.Separator).Select(p => byDecoded.GetValueOrDefault(p, p));
        return new(string.Join(DiseaseCandidates.Separator, pieces), s.TokenProbabilities);
    }
}
