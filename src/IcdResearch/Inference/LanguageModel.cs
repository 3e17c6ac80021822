using IcdResearch.Inference.Constraints;
using IcdResearch.Modeling;
using IcdResearch.Retrieval;
using IcdResearch.Text;
using IcdResearch.Tuning;

namespace IcdResearch.Inference;

/// <summary>
/// The one model layer: a loaded model folder (weights + tokenizer + chat template; a fine-tuning folder's best/ or
/// final/ model; a PEFT adapter merged into its base). Prompts are rendered exactly as fine-tuning rendered them
/// (<see cref="SftEncoder.Render"/>: chat template with generation prompt), decoding is constrained by the answer
/// grammar (<see cref="AnswerGrammarUnits"/>, the same grammar `icd serve` applies; the answer text is the grammar's
/// units as written, <see cref="UnitGrammarConstraint.Spell"/>), and each answer carries its per-token probabilities
/// (Lv et al. Eq. 2) and confidence (Lv et al. Eq. 3). Greedy prompts are batched, each under its own grammar; sampling uses temperature
/// <see cref="Temperature"/> and nucleus <see cref="TopP"/>, seeded. System A, Code-Centric Learning, `icd predict`
/// and the notebooks all generate through this class.
/// </summary>
public sealed class LanguageModel(CausalLM model, ITextTokenizer tokenizer, int batchSize = 8) : IAnswerGenerator
{
    readonly Generator _generator = new(model, tokenizer);
    readonly SftEncoder _encoder = new(tokenizer, int.MaxValue);

    public CausalLM Model { get; } = model;
    public ITextTokenizer Tokenizer { get; } = tokenizer;
    public double Temperature { get; init; } = 0.8;
    public double TopP { get; init; } = 0.95;

    /// <summary>Loads a model folder, or the model inside a fine-tuning folder (<see cref="ModelFolder.Find"/>), for inference.</summary>
    /// <param name="directory">A model folder, a fine-tuning folder or a PEFT adapter folder.</param>
    /// <param name="batchSize">Greedy prompts decoded together.</param>
    /// <param name="settings">Dtype and device (`--dtype`, `--device`); default fp32 on the CPU.</param>
    public static LanguageModel Load(string directory, int batchSize = 8, ModelLoadSettings? settings = null)
    {
        TorchRuntime.EnsureLoaded();
        var folder = ModelFolder.Find(directory) ?? throw new FileNotFoundException($"no model (config.json or adapter_config.json) in {directory}, {directory}/best or {directory}/final", directory);
        CausalLM model; ITextTokenizer tokenizer;
        if (File.Exists(Path.Combine(folder, "adapter_config.json")))
        {
            // LoRA adapter (Hu et al. 2021): load its base, apply and merge the adapter.
            var basePath = PeftAdapter.ReadConfig(folder).BaseModelNameOrPath ?? throw new Data.DataFormatException(Path.Combine(folder, "adapter_config.json"), "names no base model", field: "base_model_name_or_path");
            (model, tokenizer) = ModelFolder.Load(basePath, settings: settings);
            PeftAdapter.Load(model, folder);
            // NF4 bases cannot take the merge: the adapters then run beside them (QLoRA inference).
            if (settings?.Nf4Projections != true) LoraInjector.MergeAndUnload(model);
        }
        else (model, tokenizer) = ModelFolder.Load(folder, settings: settings);
        model.eval();
        return new LanguageModel(model, tokenizer, batchSize);
    }

    /// <summary>The prompt's token ids as fine-tuning rendered them, followed by a forced answer prefix (if any).</summary>
    public IReadOnlyList<int> Render(string prompt, string? answerPrefix = null)
    {
        var ids = _encoder.Render(new SftExample(prompt, "")).Prompt;
        return string.IsNullOrEmpty(answerPrefix) ? ids : [.. ids, .. Tokenizer.Encode(answerPrefix)];
    }

    /// <summary>Mean-pooled last hidden states (Lv et al. §3.1, retrieval embedding (b)).</summary>
    public ITextEmbedder Embedder() => new HiddenStateEmbedder(Model, Tokenizer);

    public IReadOnlyList<GeneratedAnswer> Greedy(IReadOnlyList<string> prompts, IReadOnlyList<AnswerGrammar> grammars,
        IReadOnlyList<string?>? answerPrefixes = null, int? maxNewTokens = null)
    {
        var answers = new GeneratedAnswer[prompts.Count];
        var constraints = new Dictionary<AnswerGrammar, UnitGrammarConstraint?>(ReferenceEqualityComparer.Instance);
        foreach (var batch in Enumerable.Range(0, prompts.Count).Chunk(batchSize))
        {
            // One batch, each prompt under its own grammar (one constraint per grammar object) and its own token cap.
            var rows = batch.Select(k => constraints.TryGetValue(grammars[k], out var c) ? c : constraints[grammars[k]] = Constraint(grammars[k])).ToList();
            var caps = batch.Select(k => maxNewTokens ?? MaxNewTokens(grammars[k])).ToList();
            var options = Options(grammars[batch[0]], null, sample: false, seed: 0, null) with { MaxNewTokens = caps.Max(), RowMaxNewTokens = caps, Constraints = rows };
            var outputs = _generator.Generate(batch.Select(k => Render(prompts[k], answerPrefixes?[k])).ToList(), options);
            for (var k = 0; k < batch.Length; k++) answers[batch[k]] = ToAnswer(outputs[k], rows[k]);
        }
        return answers;
    }

    public IReadOnlyList<GeneratedAnswer> Sample(string prompt, AnswerGrammar grammar, int count, int seed)
    {
        // One batch sharing the prompt's prefill; round i draws with seed + i (as an OpenAI server's n samples with this seed).
        var ids = Render(prompt);
        var constraint = Constraint(grammar);
        return _generator.Generate(Enumerable.Repeat(ids, count).ToList(), Options(grammar, constraint, sample: true, seed, null)).Select(s => ToAnswer(s, constraint)).ToList();
    }

    UnitGrammarConstraint? Constraint(AnswerGrammar grammar) => grammar is AnswerGrammar.Free ? null : new(grammar.ToUnitGrammar(), Tokenizer);

    GenerationOptions Options(AnswerGrammar grammar, UnitGrammarConstraint? constraint, bool sample, int seed, int? maxNewTokens) => new()
    {
        MaxNewTokens = maxNewTokens ?? MaxNewTokens(grammar),
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
        AnswerGrammar.OneName g => g.Names.Max(n => Tokenizer.Encode(n).Count) + 1,
        AnswerGrammar.NameSet g => Math.Min(1024, g.Names.Sum(n => Tokenizer.Encode(n).Count + 1) + 2),
        AnswerGrammar.BracketCopy g => 3 * Tokenizer.Encode(g.Source).Count + 2,
        _ => 128,
    };

    /// <summary>The units the tokens spelled (exact names even where the vocabulary lacks a character); free answers are decoded.</summary>
    static GeneratedAnswer ToAnswer(GeneratedSequence s, UnitGrammarConstraint? constraint)
        => new(constraint?.Spell(s.Tokens) ?? s.Text, s.TokenProbabilities) { RunnerUpProbabilities = RunnerUp(s) };

    /// <summary>Per step, the best probability of a token other than the emitted one (greedy answers record the top 2; margin score).</summary>
    static IReadOnlyList<double> RunnerUp(GeneratedSequence s) => s.TopAlternatives is null ? []
        : s.TopAlternatives.Select((alternatives, i) => alternatives.Where(a => a.Token != s.Tokens[i]).Select(a => a.Probability).DefaultIfEmpty(0).Max()).ToList();
}
