using IcdResearch.Text;
using static TorchSharp.torch;

namespace IcdResearch.Tuning;

/// <summary>
/// A corpus as one stream of token ids (each document followed by a separator such as &lt;|endoftext|&gt;), cut into
/// next-token-prediction windows: input ids [B,T] and the targets shifted by one (nanoGPT's get_batch).
/// </summary>
public sealed class TokenStream
{
    public TokenStream(int[] tokens) => Tokens = tokens;

    public int[] Tokens { get; }
    public int Length => Tokens.Length;

    public static TokenStream Encode(IEnumerable<string> documents, ITextTokenizer tokenizer, int separatorId)
    {
        var ids = new List<int>();
        foreach (var doc in documents)
        {
            ids.AddRange(tokenizer.Encode(doc));
            ids.Add(separatorId);
        }
        return new TokenStream(ids.ToArray());
    }

    /// <summary>
    /// Batch <paramref name="step"/> of a run: <paramref name="batchSize"/> windows at offsets drawn from a generator seeded
    /// by (seed, step) — so a resumed run sees exactly the batches the uninterrupted run would have seen, and two runs
    /// with the same seed see the same batches (the seed is mixed with SplitMix64, not <see cref="HashCode"/>, whose
    /// result is randomised per process).
    /// </summary>
    public (Tensor Input, Tensor Target) RandomBatch(int batchSize, int context, int seed, int step)
    {
        RequireLength(context);
        var random = new Random(BatchSeed(seed, step));
        var offsets = Enumerable.Range(0, batchSize).Select(_ => random.Next(0, Length - context)).ToArray();
        return Windows(offsets, context);
    }

    /// <summary>Non-overlapping windows from the start, <paramref name="batchSize"/> per batch, at most <paramref name="maxBatches"/> batches.</summary>
    public IEnumerable<(Tensor Input, Tensor Target)> SequentialBatches(int batchSize, int context, int maxBatches = int.MaxValue)
    {
        RequireLength(context);
        var offsets = Enumerable.Range(0, (Length - 1) / context).Select(i => i * context).ToArray();
        foreach (var chunk in offsets.Chunk(batchSize).Take(maxBatches)) yield return Windows(chunk, context);
    }

    /// <summary>SplitMix64 finaliser of (seed, step): a well-spread, process-independent generator seed.</summary>
    internal static int BatchSeed(int seed, int step)
    {
        var z = unchecked(((ulong)(uint)seed << 32 | (uint)step) + 0x9E3779B97F4A7C15UL);
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        return (int)((z ^ (z >> 31)) & int.MaxValue);
    }

    (Tensor Input, Tensor Target) Windows(int[] offsets, int context)
    {
        var input = new long[offsets.Length * context];
        var target = new long[offsets.Length * context];
        for (var b = 0; b < offsets.Length; b++)
            for (var t = 0; t < context; t++)
            {
                input[b * context + t] = Tokens[offsets[b] + t];
                target[b * context + t] = Tokens[offsets[b] + t + 1];
            }
        long[] shape = [offsets.Length, context];
        return (tensor(input, shape), tensor(target, shape));
    }

    void RequireLength(int context)
    {
        if (context < 1) throw new ArgumentException("context must be positive.");
        if (Length < context + 1)
            throw new ArgumentException($"the token stream has {Length} tokens, fewer than one window of {context} + 1; use a smaller context or more text.");
    }
}
