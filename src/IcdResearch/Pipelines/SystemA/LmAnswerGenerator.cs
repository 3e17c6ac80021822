using IcdResearch.Inference;
using IcdResearch.Modeling;
using IcdResearch.Text;
using IcdResearch.Tuning;
using IcdResearch.Inference.Constraints;

namespace IcdResearch.Pipelines.SystemA;

/// <summary>
/// <see cref="IAnswerGenerator"/> over the project's <see cref="Generator"/>: prompts are rendered exactly as in
/// fine-tuning (<see cref="SftEncoder"/>: chat template with generation prompt), decoding is constrained by the answer
/// grammar (<see cref="AnswerGrammarUnits"/>, the same grammar `icd serve` applies), the answer text is the grammar's
/// units as written (<see cref="UnitGrammarConstraint.Spell"/>), and each answer carries its per-token probabilities
/// (Lv et al. Eq. 2). Prompts sharing one grammar object are batched;
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
            var constraint = Constraint(grammars[i]);
            var outputs = _generator.Generate(batch.Select(k => Encode(prompts[k])).ToList(), Options(grammars[i], constraint, sample: false, seed: 0));
            for (var k = 0; k < batch.Count; k++) answers[batch[k]] = ToAnswer(outputs[k], constraint);
            i = j;
        }
        return answers;
    }

    public IReadOnlyList<GeneratedAnswer> Sample(string prompt, AnswerGrammar grammar, int count, int seed)
    {
        // One batch sharing the prompt's prefill; each round has its own seed (distinct across calls seeded seed and seed + 1).
        var ids = Encode(prompt);
        var constraint = Constraint(grammar);
        var seeds = Enumerable.Range(0, count).Select(i => unchecked(seed * 1_000_003 + i)).ToList();
        return _generator.Generate(Enumerable.Repeat(ids, count).ToList(), Options(grammar, constraint, sample: true, seed) with { Seeds = seeds })
            .Select(s => ToAnswer(s, constraint)).ToList();
    }

    IReadOnlyList<int> Encode(string prompt) => _encoder.Render(new SftExample(prompt, "")).Prompt;

    UnitGrammarConstraint? Constraint(AnswerGrammar grammar) => grammar is AnswerGrammar.Free ? null : new(grammar.ToUnitGrammar(), tokenizer);

    GenerationOptions Options(AnswerGrammar grammar, UnitGrammarConstraint? constraint, bool sample, int seed) => new()
    {
        MaxNewTokens = MaxNewTokens(grammar),
        DoSample = sample,
        Temperature = Temperature,
        TopP = TopP,
        Seed = seed,
        Constraint = constraint,
    };

    /// <summary>A cap on answer length that every valid answer fits under.</summary>
    int MaxNewTokens(AnswerGrammar grammar) => grammar switch
    {
        AnswerGrammar.OneName g => g.Names.Max(n => tokenizer.Encode(n).Count) + 1,
        AnswerGrammar.NameSet g => Math.Min(1024, g.Names.Sum(n => tokenizer.Encode(n).Count + 1) + 2),
        AnswerGrammar.BracketCopy g => 3 * tokenizer.Encode(g.Source).Count + 2,
        _ => 128,
    };

    /// <summary>The units the tokens spelled (exact names even where the vocabulary lacks a character); free answers are decoded.</summary>
    static GeneratedAnswer ToAnswer(GeneratedSequence s, UnitGrammarConstraint? constraint)
        => new(constraint?.Spell(s.Tokens) ?? s.Text, s.TokenProbabilities);
}
