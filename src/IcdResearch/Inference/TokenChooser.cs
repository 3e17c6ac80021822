using System.Numerics.Tensors;
using System.Runtime.CompilerServices;

namespace IcdResearch.Inference;

/// <summary>
/// Chooses one row's next token from its logits on the host, reusing its buffers (no managed allocation per step):
/// the candidates are the constraint's allowed tokens (plus the stop tokens where it may end) or, without a
/// constraint, every token of the tokenizer's vocabulary (padded embedding rows are never chosen); greedy takes the
/// first maximum, sampling scales by the temperature, keeps the top-p nucleus and draws with the row's own seeded
/// generator (the nucleus ranked by a stable radix sort: equal weights in candidate order). The reported probability is the model's own, p(token | prefix) under the softmax of all of the step's
/// raw logits (Lv et al. Eq. 2).
/// </summary>
internal sealed class TokenChooser(int vocabulary, int logitsWidth, GenerationOptions options, int seed)
{
    readonly Random? _random = options.DoSample && options.Temperature > 0 ? new Random(seed) : null;
    readonly float[] _work = new float[logitsWidth];
    readonly int[] _candidates = new int[vocabulary];
    readonly float[] _keys = new float[vocabulary];
    readonly uint[] _bits = new uint[vocabulary], _otherBits = new uint[vocabulary];   // radix sort buffers (SortDescending)
    readonly int[] _otherCandidates = new int[vocabulary], _counts = new int[2048];
    float _sum;   // Σ exp(logit − max) of the last step; _work holds its terms

    /// <summary>The chosen token and its Lv et al. Eq. 2 probability, or token −1 when the constraint allows nothing here.</summary>
    /// <param name="logits">the row's logits over the model vocabulary (<c>logitsWidth</c>, may be wider than <c>vocabulary</c>)</param>
    /// <param name="allowed">the constraint's allowed tokens, null when unconstrained</param>
    /// <param name="stops">stop tokens that may end the sequence here</param>
    public (int Token, double Probability) Choose(ReadOnlySpan<float> logits, IReadOnlyList<int>? allowed, IReadOnlyList<int> stops)
    {
        var count = Candidates(allowed, stops);
        if (count == 0) return (-1, 0);
        var token = _random is null ? Argmax(logits, count) : Draw(logits, count, _random);
        return (token, Probability(logits, token));
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    int Candidates(IReadOnlyList<int>? allowed, IReadOnlyList<int> stops)
    {
        var count = 0;
        if (allowed is null)
        {
            for (var t = 0; t < vocabulary; t++) _candidates[count++] = t;
            return count;
        }
        if (allowed is int[] array)   // what the constraints hand out: read as a span, not through the list interface
            foreach (var t in array.AsSpan()) { if (t >= 0 && t < vocabulary) _candidates[count++] = t; }
        else
            foreach (var t in allowed) if (t >= 0 && t < vocabulary) _candidates[count++] = t;
        foreach (var t in stops) if (t >= 0 && t < vocabulary && !Contains(count, t)) _candidates[count++] = t;
        return count;
    }

    bool Contains(int count, int token) => Array.IndexOf(_candidates, token, 0, count) >= 0;

    /// <summary>The candidate with the largest logit; the lowest token id among equal maxima (as torch.argmax).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    int Argmax(ReadOnlySpan<float> logits, int count)
    {
        var best = _candidates[0];
        for (var i = 1; i < count; i++)
        {
            var t = _candidates[i];
            if (logits[t] > logits[best] || (logits[t] == logits[best] && t < best)) best = t;
        }
        return best;
    }

    /// <summary>Temperature, then nucleus filtering (drop a token once the tokens ranked above it hold more than top_p), then one draw.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]   // fully optimised from the first draw (short runs)
    int Draw(ReadOnlySpan<float> logits, int count, Random random)
    {
        var keys = _keys.AsSpan(0, count);
        var candidates = _candidates.AsSpan(0, count);
        var inverse = (float)(1.0 / options.Temperature);
        for (var i = 0; i < count; i++) keys[i] = logits[candidates[i]] * inverse;
        var max = TensorPrimitives.Max(keys);
        TensorPrimitives.Subtract(keys, max, keys);
        TensorPrimitives.Exp(keys, keys);   // unnormalised probabilities
        var kept = count;
        if (options.TopP < 1.0)
        {
            SortDescending(keys, candidates);   // most probable first; equal weights in candidate order
            var total = TensorPrimitives.Sum(keys);
            var above = 0.0;
            for (kept = 0; kept < count && above <= options.TopP * total; kept++) above += keys[kept];
        }
        var u = random.NextDouble() * TensorPrimitives.Sum(keys[..kept]);
        var cumulative = 0.0;
        for (var i = 0; i < kept; i++)
        {
            cumulative += keys[i];
            if (u < cumulative) return candidates[i];
        }
        return candidates[kept - 1];
    }

    /// <summary>
    /// Sorts the weights (≥ 0) in descending order with their candidates, stably: equal weights keep the candidates'
    /// order (ascending token id; stop tokens after the constraint's tokens). An LSD radix sort on the weights' bits
    /// (non-negative floats order as their bit patterns), three passes of 11-bit digits: O(n) instead of the O(n log n)
    /// comparison sort it replaces. Only the order of exactly equal weights can differ from that sort's.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    void SortDescending(Span<float> keys, Span<int> candidates)
    {
        var n = keys.Length;
        Span<uint> bits = _bits.AsSpan(0, n), otherBits = _otherBits.AsSpan(0, n);
        Span<int> items = candidates, otherItems = _otherCandidates.AsSpan(0, n);
        for (var i = 0; i < n; i++) bits[i] = ~BitConverter.SingleToUInt32Bits(keys[i]);   // ascending ~bits = descending weight
        var counts = _counts.AsSpan();
        for (var shift = 0; shift < 32; shift += 11)
        {
            counts.Clear();
            foreach (var b in bits) counts[(int)((b >> shift) & 2047)]++;
            for (int d = 0, start = 0; d < counts.Length; d++) (counts[d], start) = (start, start + counts[d]);
            for (var i = 0; i < n; i++)
            {
                var at = counts[(int)((bits[i] >> shift) & 2047)]++;
                otherBits[at] = bits[i];
                otherItems[at] = items[i];
            }
            var swapBits = bits; bits = otherBits; otherBits = swapBits;
            var swapItems = items; items = otherItems; otherItems = swapItems;
        }
        for (var i = 0; i < n; i++)   // three passes leave the result in the other buffers
        {
            keys[i] = BitConverter.UInt32BitsToSingle(~bits[i]);
            candidates[i] = items[i];
        }
    }

    /// <summary>softmax(logits)[token] over every logit of the step (Lv et al. Eq. 2).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    double Probability(ReadOnlySpan<float> logits, int token)
    {
        var work = _work.AsSpan(0, logits.Length);
        var max = TensorPrimitives.Max(logits);
        TensorPrimitives.Subtract(logits, max, work);
        TensorPrimitives.Exp(work, work);
        _sum = TensorPrimitives.Sum(work);
        return work[token] / (double)_sum;
    }

    /// <summary>The <paramref name="k"/> most probable tokens of the last chosen step's softmax (OpenAI's top_logprobs), most probable first.</summary>
    public TokenProbability[] MostProbable(int k)
    {
        var top = new TokenProbability[Math.Min(k, _work.Length)];
        var filled = 0;
        for (var t = 0; t < _work.Length; t++)
        {
            var p = _work[t];
            if (filled == top.Length && p <= top[^1].Probability * _sum) continue;
            var i = filled < top.Length ? filled++ : top.Length - 1;
            while (i > 0 && top[i - 1].Probability * _sum < p) { top[i] = top[i - 1]; i--; }
            top[i] = new TokenProbability(t, p / (double)_sum);
        }
        return top;
    }
}
