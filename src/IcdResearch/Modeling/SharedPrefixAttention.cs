using IcdResearch.Inference;
using static TorchSharp.torch;

namespace IcdResearch.Modeling;

/// <summary>
/// Attention of one decoding step for rows that continue shared prompts (Juravsky et al. 2024, "Hydragen:
/// High-Throughput LLM Inference with Shared Prefixes", §3). Attention over [prefix; suffix] splits into a prefix part
/// and a per-row suffix part; the prefix part of all rows continuing the same prompt is one matrix product against
/// that prompt's keys, so its keys and values are read once per step instead of once per row. That read dominates a
/// batch-8 step of a small model over a 512-token prompt (8 copies of the prefix cost more bytes than the weights).
/// Hydragen merges the two parts by their log-sum-exp; here the prefix and suffix scores of each row are concatenated
/// and share one softmax (the same result, fewer ops), and only the weighted sum of values is split in two — so the
/// output equals single-pass attention up to float rounding (the decoder's logits are tested against the module path
/// to 1e-5). The two prefix products run on the decode threads against the prompts' keys and values packed as
/// <see cref="PanelMatrix"/> batches (<see cref="SharedPrefixCache.PackedPrefix"/>): with 8 rows they are compute-bound,
/// and libtorch's batched GEMM ran them on one core at half the rate.
/// </summary>
internal static class SharedPrefixAttention
{
    /// <summary>
    /// q [B,kv,g,d] (one query per row, each key/value head's group of g query heads); the rows' generated keys and
    /// values [B,kv,S,d]; the cache's prompts, padding mask and row groups. Returns the attended values [B,kv·g·d].
    /// </summary>
    public static Tensor Step(Tensor q, Tensor keys, Tensor values, SharedPrefixCache cache, int layer)
    {
        var groups = cache.Groups ?? throw new InvalidOperationException("the cache holds no prefix");
        var (prefixKeys, prefixValues) = (cache.PrefixKeys(layer), cache.PrefixValues(layer));
        var (b, kv, g, d) = (q.shape[0], q.shape[1], q.shape[2], q.shape[3]);
        var (u, m, p, s) = ((long)groups.Count, (long)groups.PerGroup, prefixKeys.shape[2], keys.shape[2]);
        var (gather, scatter) = (groups.RowOfSlot, groups.SlotOfRow);
        q = q.mul(1.0 / Math.Sqrt(d));
        if (m == 1 && gather is null) return OwnPrefixes(q, keys, values, prefixKeys, prefixValues, cache.PrefixMask, p, s);

        // Prefix scores: the m rows of each prompt become m·g query heads of that prompt → [U,kv,m·g,P], on the decode
        // threads against the prompt's packed keys (PanelMatrix).
        var (packedKeysT, packedValues) = cache.PackedPrefix(layer);
        var slots = gather is null ? q : q.index_select(0, gather);
        var prefixScores = packedKeysT.Multiply(slots.view(u, m, kv, g, d).transpose(1, 2).reshape(u * kv, m * g, d)).view(u, kv, m * g, p);
        if (cache.PrefixMask is { } mask) prefixScores.add_(mask);
        var prefixPerSlot = prefixScores.view(u, kv, m, g, p).transpose(1, 2);   // [U,m,kv,g,P]
        var suffixScores = q.matmul(keys.transpose(2, 3));                          // [B,kv,g,S]
        var scores = scatter is null
            ? cat([prefixPerSlot, suffixScores.view(u, m, kv, g, s)], 4).view(b, kv, g, p + s)
            : cat([prefixPerSlot.reshape(u * m, kv, g, p).index_select(0, scatter), suffixScores], 3);
        var weights = scores.softmax(-1);

        // Weighted values: the prefix part regrouped per prompt (reading its values once), plus each row's suffix part.
        var prefixWeights = weights.narrow(3, 0, p);
        if (gather is not null) prefixWeights = prefixWeights.index_select(0, gather);
        var prefixOut = packedValues.Multiply(prefixWeights.reshape(u, m, kv, g, p).transpose(1, 2).reshape(u * kv, m * g, p))
            .view(u, kv, m, g, d).transpose(1, 2);                                  // [U,m,kv,g,d]
        var output = weights.narrow(3, p, s).matmul(values);                       // [B,kv,g,d]
        return scatter is null
            ? output.view(u, m, kv, g, d).add_(prefixOut).view(b, kv * g * d)
            : output.add_(prefixOut.reshape(u * m, kv, g, d).index_select(0, scatter)).view(b, kv * g * d);
    }

    /// <summary>
    /// The same attention when every row left continues its own prompt, row i prompt i (the sampled rounds once all but
    /// one of each prompt's rows have finished; rows that never shared a prompt use the cache's contiguous layout
    /// instead): nothing to share, so the regrouping is skipped — half the tensor ops, the same products and sums.
    /// </summary>
    static Tensor OwnPrefixes(Tensor q, Tensor keys, Tensor values, Tensor prefixKeys, Tensor prefixValues, Tensor? mask, long p, long s)
    {
        var prefixScores = q.matmul(prefixKeys.transpose(2, 3));                    // [B,kv,g,P]
        if (mask is not null) prefixScores.add_(mask);
        var weights = cat([prefixScores, q.matmul(keys.transpose(2, 3))], 3).softmax(-1);
        var output = weights.narrow(3, p, s).matmul(values);
        return output.add_(weights.narrow(3, 0, p).matmul(prefixValues)).view(q.shape[0], -1);
    }
}
