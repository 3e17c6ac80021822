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
/// (Lv et al. Eq. 2). Greedy prompts are batched, each under its own grammar;
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
        var constraints = new Dictionary<AnswerGrammar, UnitGrammarConstraint?>(ReferenceEqualityComparer.Instance);
        foreach (var batch in Enumerable.Range(0, prompts.Count).Chunk(batchSize))
        {
            // One batch, each prompt under its own grammar (one constraint per grammar object) and its own token cap.
            var rows = batch.Select(k => constraints.TryGetValue(grammars[k], out var c) ? c : constraints[grammars[k]] = Constraint(grammars[k])).ToList();
            var caps = batch.Select(k => MaxNewTokens(grammars[k])).ToList();
            var options = Options(grammars[batch[0]], null, sample: false, seed: 0) with { MaxNewTokens = caps.Max(), RowMaxNewTokens = caps, Constraints = rows };
            var outputs = _generator.Generate(batch.Select(k => Encode(prompts[k])).ToList(), options);
            for (var k = 0; k < batch.Length; k++) answers[batch[k]] = ToAnswer(outputs[k], rows[k]);
        }
        return answers;
    }

    public IReadOnlyList<GeneratedAnswer> Sample(string prompt, AnswerGrammar grammar, int count, int seed)
    {
        // One batch sharing the prompt's prefill; round i draws with seed + i (as an OpenAI server's n samples with this seed).
        var ids = Encode(prompt);
        var constraint = Constraint(grammar);
        return _generator.Generate(Enumerable.Repeat(ids, count).ToList(), Options(grammar, constraint, sample: true, seed)).Select(s => ToAnswer(s, constraint)).ToList();
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
        TopLogprobs = sample ? 0 : 2,   // greedy answers keep the runner-up of every step (first-token margin, ConfidenceScore)
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
        => new(constraint?.Spell(s.Tokens) ?? s.Text, s.TokenProbabilities) { RunnerUpProbabilities = RunnerUp(s) };

    /// <summary>Per step, the best probability of a token other than the emitted one (greedy answers record the top 2; margin score).</summary>
    static IReadOnlyList<double> RunnerUp(GeneratedSequence s) => s.TopAlternatives is null ? []
        : s.TopAlternatives.Select((alternatives, i) => alternatives.Where(a => a.Token != s.Tokens[i]).Select(a => a.Probability).DefaultIfEmpty(0).Max()).ToList();
}
