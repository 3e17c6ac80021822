using static TorchSharp.torch;

namespace IcdResearch.Tuning;

/// <summary>
/// A padded micro-batch: input ids and labels [B, T] (int64) and the attention mask [B, T] (1 = token, 0 = padding),
/// right-padded to the longest sequence in the batch with the tokenizer's pad id; padded labels are -100.
/// </summary>
public sealed class SftBatch : IDisposable
{
    public SftBatch(IReadOnlyList<SftSequence> sequences, int padId)
    {
        if (sequences.Count == 0) throw new ArgumentException("a batch needs at least one sequence");
        var length = sequences.Max(s => s.InputIds.Length);
        var ids = new long[sequences.Count * length];
        var labels = new long[ids.Length];
        var mask = new long[ids.Length];
        for (var b = 0; b < sequences.Count; b++)
        for (var t = 0; t < length; t++)
        {
            var i = b * length + t;
            var real = t < sequences[b].InputIds.Length;
            ids[i] = real ? sequences[b].InputIds[t] : padId;
            labels[i] = real ? sequences[b].Labels[t] : SftSequence.IgnoreIndex;
            mask[i] = real ? 1 : 0;
        }
        InputIds = tensor(ids, [sequences.Count, length]);
        Labels = tensor(labels, [sequences.Count, length]);
        AttentionMask = tensor(mask, [sequences.Count, length]);
        Tokens = sequences.Sum(s => (long)s.InputIds.Length);
        // Targets are labels shifted left by one (token t predicts t+1), so the first position never carries loss.
        LossTokens = sequences.Sum(s => (long)s.Labels.Skip(1).Count(l => l != SftSequence.IgnoreIndex));
    }

    public Tensor InputIds { get; }
    public Tensor Labels { get; }
    public Tensor AttentionMask { get; }
    /// <summary>Real (unpadded) tokens in the batch.</summary>
    public long Tokens { get; }
    /// <summary>Tokens whose prediction is scored (answer tokens after the shift).</summary>
    public long LossTokens { get; }

    /// <summary>
    /// Sum over scored positions of −log p(label) for next-token <paramref name="logits"/> [B, T, V]; divide by
    /// the total <see cref="LossTokens"/> of the accumulation window for a token-weighted mean.
    /// </summary>
    public Tensor LossSum(Tensor logits)
    {
        using var scope = NewDisposeScope();
        var vocab = logits.shape[^1];
        var predictions = logits[.., ..^1, ..].reshape(-1, vocab).to(float32);
        var targets = Labels[.., 1..].reshape(-1);
        var loss = nn.functional.cross_entropy(predictions, targets, ignore_index: SftSequence.IgnoreIndex, reduction: nn.Reduction.Sum);
        return loss.MoveToOuterDisposeScope();
    }

    public void Dispose()
    {
        InputIds.Dispose();
        Labels.Dispose();
        AttentionMask.Dispose();
    }
}
