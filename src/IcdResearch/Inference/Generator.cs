using IcdResearch.Modeling;
using IcdResearch.Text;
using TorchSharp;
using static TorchSharp.torch;
using IcdResearch.Inference.Constraints;

namespace IcdResearch.Inference;

/// <summary>
/// Batched autoregressive decoding for a <see cref="CausalLM"/>: prompts are left-padded into one batch, prefilled
/// once, then decoded one token per step through a <see cref="KvCache"/> (or by recomputing the prefix), greedily or
/// by temperature/top-p sampling, optionally under a <see cref="IDecodingConstraint"/>. Records each emitted token's
/// probability (system paper §3, Eq. 2) so callers can compute the confidence of Eq. 3.
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
        var stopIds = (options.StopIds ?? Tokenizer.StopIds).ToHashSet();
        var sampler = options.DoSample && options.Temperature > 0 ? new torch.Generator((ulong)options.Seed) : null;
        var constraint = options.Constraint;
        var states = Enumerable.Repeat(constraint?.Start ?? 0, batch).ToArray();

        // Left padding: every row ends at the same column, so the next-token logits are always the last column.
        var promptLength = prompts.Max(p => p.Count);
        var rows = prompts.Select(p => Enumerable.Repeat((long)Tokenizer.PadId, promptLength - p.Count).Concat(p.Select(t => (long)t)).ToList()).ToArray();
        var maskRows = prompts.Select(p => Enumerable.Repeat(0L, promptLength - p.Count).Concat(Enumerable.Repeat(1L, p.Count)).ToList()).ToArray();

        var tokens = Enumerable.Range(0, batch).Select(_ => new List<int>()).ToArray();
        var probabilities = Enumerable.Range(0, batch).Select(_ => new List<double>()).ToArray();
        var finished = new FinishReason?[batch];
        var active = Enumerable.Range(0, batch).ToList();   // sequences still decoding; finished ones leave the batch

        var wasTraining = Model.training;
        Model.eval();
        using var noGrad = no_grad();
        using var cache = options.UseCache ? Model.NewCache(promptLength + options.MaxNewTokens) : null;
        try
        {
            for (var step = 0; step < options.MaxNewTokens && active.Count > 0; step++)
            {
                using var scope = NewDisposeScope();
                var n = active.Count;
                // With a cache only the newest column is fed (the whole prompt at step 0); the mask always spans everything.
                var width = rows[active[0]].Count;
                var feed = cache is null || step == 0 ? width : 1;
                var ids = tensor(active.SelectMany(b => rows[b].Skip(width - feed)).ToArray(), [n, feed]);
                var mask = tensor(active.SelectMany(b => maskRows[b]).ToArray(), [n, width]);
                var logits = Model.Forward(ids, mask, cache).select(1, -1).to_type(ScalarType.Float32);   // [n,V]

                var probs = logits.softmax(-1);
                var blocked = new bool[n];
                var scores = constraint is null ? logits : logits + ConstraintMask(constraint, active.Select(b => states[b]).ToArray(), stopIds, blocked, logits.shape[1]);
                // Embedding rows past the tokenizer's vocabulary (padding to a multiple of 64, as Qwen checkpoints do)
                // decode to nothing: never choose them. Eq. 2's probability stays the softmax over all of the step's logits.
                if (Tokenizer.VocabSize < logits.shape[1])
                    scores = scores.index_fill(1, arange(Tokenizer.VocabSize, logits.shape[1], dtype: ScalarType.Int64), float.NegativeInfinity);
                var next = sampler is null ? scores.argmax(-1) : Sample(scores, options, sampler);
                var chosen = next.data<long>().ToArray();
                var chosenProbs = probs.gather(1, next.unsqueeze(1)).squeeze(1).data<float>().ToArray();

                for (var i = 0; i < n; i++)
                {
                    var b = active[i];
                    var token = (int)chosen[i];
                    if (blocked[i]) finished[b] = FinishReason.Constraint;
                    else if (stopIds.Contains(token)) finished[b] = FinishReason.Stop;
                    else
                    {
                        tokens[b].Add(token);
                        probabilities[b].Add(chosenProbs[i]);
                        if (constraint is not null) states[b] = constraint.Advance(states[b], token);
                        rows[b].Add(token);
                        maskRows[b].Add(1);
                    }
                }
                if (active.Any(b => finished[b] is not null))
                {
                    var keep = Enumerable.Range(0, n).Where(i => finished[active[i]] is null).Select(i => (long)i).ToArray();
                    if (keep.Length > 0) cache?.SelectBatch(keep);
                    active = keep.Select(i => active[(int)i]).ToList();
                }
            }
        }
        finally
        {
            if (wasTraining) Model.train();
        }

        return Enumerable.Range(0, batch).Select(b => new GeneratedSequence(
            tokens[b], Tokenizer.Decode(tokens[b]), probabilities[b], finished[b] ?? FinishReason.Length)).ToList();
    }

    /// <summary>0 for allowed continuations (and stop tokens where the constraint may end), −∞ elsewhere; rows with nothing allowed are flagged in <paramref name="blocked"/>.</summary>
    static Tensor ConstraintMask(IDecodingConstraint constraint, int[] states, HashSet<int> stopIds, bool[] blocked, long vocab)
    {
        var mask = full([states.Length, vocab], float.NegativeInfinity);
        for (var b = 0; b < states.Length; b++)
        {
            var allowed = constraint.AllowedTokens(states[b]).Select(t => (long)t);
            if (constraint.CanStop(states[b])) allowed = allowed.Concat(stopIds.Select(t => (long)t));
            var index = allowed.Where(t => t < vocab).ToArray();
            if (index.Length > 0) mask[b].index_fill_(0, tensor(index), 0);
            else { mask[b].zero_(); blocked[b] = true; }   // dead end: the sequence ends here
        }
        return mask;
    }

    /// <summary>Temperature scaling, nucleus (top-p) filtering, then one multinomial draw per row.</summary>
    static Tensor Sample(Tensor scores, GenerationOptions options, torch.Generator sampler)
    {
        var logits = scores / options.Temperature;
        if (options.TopP < 1.0)
        {
            var (sorted, order) = logits.sort(-1, descending: true);
            var sortedProbs = sorted.softmax(-1);
            // Drop a token when the tokens ranked above it already reach top_p (the top token always stays).
            var drop = (sortedProbs.cumsum(-1) - sortedProbs).gt(options.TopP);
            logits = logits.scatter(-1, order, sorted.masked_fill(drop, float.NegativeInfinity));
        }
        return logits.softmax(-1).multinomial(1, generator: sampler).squeeze(1);
    }

    void Validate(IReadOnlyList<IReadOnlyList<int>> prompts, GenerationOptions options)
    {
        if (prompts.Count == 0) throw new ArgumentException("no prompts to generate from");
        if (prompts.Any(p => p.Count == 0)) throw new ArgumentException("every prompt needs at least one token");
        var vocab = Model.Config.VocabSize;
        if (prompts.SelectMany(p => p).FirstOrDefault(t => t < 0 || t >= vocab, -1) is var bad and not -1)
            throw new ArgumentException($"prompt token id {bad} is outside the model vocabulary [0, {vocab})");
        if (options.MaxNewTokens < 0) throw new ArgumentException("MaxNewTokens must be ≥ 0");
        if (options.DoSample && options.Temperature < 0) throw new ArgumentException("Temperature must be ≥ 0");
        if (options.TopP is <= 0 or > 1) throw new ArgumentException("TopP must be in (0, 1]");
    }
}
