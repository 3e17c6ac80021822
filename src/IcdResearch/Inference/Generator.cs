using IcdResearch.Modeling;
using IcdResearch.Text;
using TorchSharp;
using static TorchSharp.torch;
using IcdResearch.Inference.Constraints;

namespace IcdResearch.Inference;

/// <summary>
/// Batched autoregressive decoding for a <see cref="CausalLM"/>: prompts are left-padded into one batch, prefilled
/// once (identical prompts only once, their rows then share the cached prefix), then decoded one token per step
/// (<see cref="DecodeSession"/>: the fused decoder with a <see cref="SharedPrefixCache"/>, or the modules with a <see cref="KvCache"/>), greedily or
/// by temperature/top-p sampling with one seeded generator per row, optionally under a <see cref="IDecodingConstraint"/>.
/// Tokens are chosen on the host (<see cref="TokenChooser"/>); decode steps run on <see cref="DecodeThreads"/>. Records each emitted token's probability (Lv et al. Eq. 2)
/// so callers can compute the confidence of Lv et al. Eq. 3.
/// </summary>
public sealed class Generator(CausalLM model, ITextTokenizer tokenizer)
{
    public CausalLM Model { get; } = model;
    public ITextTokenizer Tokenizer { get; } = tokenizer;

    public IReadOnlyList<GeneratedSequence> Generate(IReadOnlyList<string> prompts, GenerationOptions options) =>
        Generate(prompts.Select(Tokenizer.Encode).ToList(), options);

    public IReadOnlyList<GeneratedSequence> Generate(IReadOnlyList<IReadOnlyList<int>> prompts, GenerationOptions options)
    {
        Validate(prompts, options);
        TorchRuntime.EnsureLoaded();
        var batch = prompts.Count;
        var stopIds = (options.StopIds ?? Tokenizer.StopIds).Distinct().ToArray();
        var constraints = Enumerable.Range(0, batch).Select(b => options.Constraints is { } c ? c[b] : options.Constraint).ToArray();
        var states = constraints.Select(c => c?.Start ?? 0).ToArray();
        var caps = options.RowMaxNewTokens ?? Enumerable.Repeat(options.MaxNewTokens, batch).ToArray();
        var vocabulary = Math.Min(Tokenizer.VocabSize, Model.Config.VocabSize);
        var choosers = Enumerable.Range(0, batch)
            .Select(b => new TokenChooser(vocabulary, Model.Config.VocabSize, options, options.Seeds?[b] ?? options.Seed + b)).ToArray();

        var tokens = Enumerable.Range(0, batch).Select(_ => new List<int>()).ToArray();
        var probabilities = Enumerable.Range(0, batch).Select(_ => new List<double>()).ToArray();
        var top = options.TopLogprobs > 0 ? Enumerable.Range(0, batch).Select(_ => new List<IReadOnlyList<TokenProbability>>()).ToArray() : null;
        var finished = new FinishReason?[batch];
        // Generation stops at the model's context (max_position_embeddings) as it does at MaxNewTokens.
        var steps = Math.Min(options.MaxNewTokens, Model.Config.MaxPositionEmbeddings - prompts.Max(p => p.Count));
        if (steps <= 0) return Results(tokens, probabilities, top, finished);

        // Identical prompts (e.g. the sampled voting rounds of one record) are prefilled once and share that prefix.
        var unique = new List<IReadOnlyList<int>>();
        var firstRow = new Dictionary<string, int>(StringComparer.Ordinal);
        var source = prompts.Select(p => (long)(firstRow.TryGetValue(string.Join(',', p), out var u) ? u : firstRow[string.Join(',', p)] = AddTo(unique, p))).ToArray();

        var wasTraining = Model.training;
        Model.eval();
        using var mode = inference_mode();
        using var session = DecodeSession.Start(Model, Tokenizer.PadId, unique, options.MaxNewTokens, options.UseCache);
        var active = Enumerable.Range(0, batch).ToList();   // sequences still decoding; finished ones leave the batch
        var choices = new RowChoices(choosers, options.TopLogprobs);
        var next = new long[batch];
        try
        {
            var logits = session.Prefill();
            if (unique.Count < batch) session.Select(source);
            using var threads = DecodeThreads.Enter(DecodeThreads.For());   // ICD_DECODE_THREADS, for the decode steps only
            for (var step = 0; ; step++)
            {
                using (logits)
                {
                    var host = logits.device_type == DeviceType.CPU ? logits : logits.cpu();
                    for (var i = 0; i < active.Count; i++)   // constraints keep caches of their states: asked on this thread
                    {
                        var b = active[i];
                        choices.Rows[i] = b;
                        choices.Allowed[i] = constraints[b]?.AllowedTokens(states[b]);
                        choices.Stops[i] = constraints[b] is not { } c || c.CanStop(states[b]) ? stopIds : [];
                        choices.LogitRows[i] = step == 0 ? (int)source[b] : i;   // the prefill has one row per distinct prompt
                    }
                    choices.Choose(host, active.Count);
                    for (var i = 0; i < active.Count; i++)
                    {
                        var (b, token) = (active[i], choices.Tokens[i]);
                        next[i] = token;
                        if (token < 0) finished[b] = FinishReason.Constraint;   // dead end: the sequence ends here
                        else if (stopIds.Contains(token)) finished[b] = FinishReason.Stop;
                        else
                        {
                            tokens[b].Add(token);
                            probabilities[b].Add(choices.Probabilities[i]);
                            top?[b].Add(choices.Top![i]);
                            if (constraints[b] is { } constraint) states[b] = constraint.Advance(states[b], token);
                            if (tokens[b].Count >= caps[b]) finished[b] = FinishReason.Length;
                        }
                    }
                    if (!ReferenceEquals(host, logits)) host.Dispose();
                }
                if (active.Any(b => finished[b] is not null))
                {
                    var keep = Enumerable.Range(0, active.Count).Where(i => finished[active[i]] is null).ToArray();
                    if (keep.Length == 0) break;
                    for (var j = 0; j < keep.Length; j++) next[j] = next[keep[j]];
                    session.Select(keep.Select(i => (long)i).ToArray());
                    active = keep.Select(i => active[i]).ToList();
                }
                if (step + 1 >= steps) break;
                logits = session.Step(next.AsSpan(0, active.Count));
            }
        }
        finally
        {
            if (wasTraining) Model.train();
        }
        return Results(tokens, probabilities, top, finished);
    }

    /// <summary>
    /// One step's token choices: each active row's <see cref="TokenChooser"/> (its own buffers and seeded generator) on
    /// the decode threads, rows split in ranges — the same tokens as choosing them one after another. The caller fills
    /// the per-row inputs (constraints are asked on its thread) and reads the outputs.
    /// </summary>
    sealed class RowChoices(TokenChooser[] choosers, int topLogprobs)
    {
        public readonly int[] Rows = new int[choosers.Length], LogitRows = new int[choosers.Length], Tokens = new int[choosers.Length];
        public readonly IReadOnlyList<int>?[] Allowed = new IReadOnlyList<int>?[choosers.Length];
        public readonly IReadOnlyList<int>[] Stops = new IReadOnlyList<int>[choosers.Length];
        public readonly double[] Probabilities = new double[choosers.Length];
        public readonly IReadOnlyList<TokenProbability>[]? Top = topLogprobs > 0 ? new IReadOnlyList<TokenProbability>[choosers.Length] : null;

        public unsafe void Choose(Tensor logits, int count)
        {
            var job = new Job(this, TensorMemory.Floats(logits), (int)logits.shape[1], count);
            DecodeWorkers.Run(ref job);
        }

        void Choose(int i, ReadOnlySpan<float> logits)
        {
            var chooser = choosers[Rows[i]];
            (Tokens[i], Probabilities[i]) = chooser.Choose(logits, Allowed[i], Stops[i]);
            if (Top is not null && Tokens[i] >= 0) Top[i] = chooser.MostProbable(topLogprobs);
        }

        readonly unsafe struct Job(RowChoices choices, float* logits, int width, int count) : IDecodeJob
        {
            public int PartCount => count;

            public void Run(int part, int parts)
            {
                var (from, to) = ((int)((long)count * part / parts), (int)((long)count * (part + 1) / parts));
                for (var i = from; i < to; i++) choices.Choose(i, new ReadOnlySpan<float>(logits + (long)choices.LogitRows[i] * width, width));
            }
        }
    }

    static int AddTo(List<IReadOnlyList<int>> list, IReadOnlyList<int> item)
    {
        list.Add(item);
        return list.Count - 1;
    }

    IReadOnlyList<GeneratedSequence> Results(List<int>[] tokens, List<double>[] probabilities, List<IReadOnlyList<TokenProbability>>[]? top, FinishReason?[] finished) =>
        Enumerable.Range(0, tokens.Length).Select(b => new GeneratedSequence(
            tokens[b], Tokenizer.Decode(tokens[b]), probabilities[b], finished[b] ?? FinishReason.Length, top?[b])).ToList();

    void Validate(IReadOnlyList<IReadOnlyList<int>> prompts, GenerationOptions options)
    {
        if (prompts.Count == 0) throw new ArgumentException("no prompts to generate from");
        if (prompts.Any(p => p.Count == 0)) throw new ArgumentException("every prompt needs at least one token");
        var vocab = Model.Config.VocabSize;
        if (prompts.SelectMany(p => p).FirstOrDefault(t => t < 0 || t >= vocab, -1) is var bad and not -1)
            throw new ArgumentException($"prompt token id {bad} is outside the model vocabulary [0, {vocab})");
        var check = new IO.OptionCheck();
        check.Int("max new tokens", options.MaxNewTokens, 0);
        check.Real("temperature", options.Temperature, 0, 100);
        check.Real("top-p", options.TopP, 0, 1, minExclusive: true);
        check.ThrowIfAny();
        var limit = Model.Config.MaxPositionEmbeddings;
        for (var i = 0; i < prompts.Count; i++)
            if (prompts[i].Count >= limit) throw new InputTooLongException(i, prompts[i].Count, limit);
        if (options.Seeds is { } seeds && seeds.Count != prompts.Count) throw new ArgumentException($"{seeds.Count} seeds for {prompts.Count} prompts");
        if (options.Constraints is { } constraints && constraints.Count != prompts.Count) throw new ArgumentException($"{constraints.Count} constraints for {prompts.Count} prompts");
        if (options.RowMaxNewTokens is { } caps && (caps.Count != prompts.Count || caps.Any(c => c < 1 || c > options.MaxNewTokens)))
            throw new ArgumentException($"RowMaxNewTokens needs one cap in [1, MaxNewTokens] per prompt");
    }
}
