using IcdResearch.Modeling;
using static TorchSharp.torch;

namespace IcdResearch.Tests;

/// <summary>The decode step's attention over each row's own keys against libtorch's, and its independence of batch and thread split.</summary>
[Collection(EnvironmentCollection.Name)]
public class DecodeAttentionTests
{
    static Tensor Random(long[] shape, int seed)
    {
        TorchRuntime.EnsureLoaded();
        using var generator = new TorchSharp.torch.Generator((ulong)seed);
        return randn(shape, generator: generator);
    }

    /// <summary>q as the fused step lays it out: [B, offset + kv·g·d] with other columns first; keys/values [B,kv,capacity,d].</summary>
    static (Tensor Rows, Tensor Keys, Tensor Values) Inputs(int b, int kv, int g, int d, int capacity, int offset, int seed) =>
        (Random([b, offset + kv * g * d + 5], seed), Random([b, kv, capacity, d], seed + 1), Random([b, kv, capacity, d], seed + 2));

    [Theory]
    [InlineData(64)]   // the 8-lane path
    [InlineData(12)]   // 8 lanes and a scalar tail
    public void MatchesLibtorchAttentionWithAndWithoutAPaddingMask(int d)
    {
        using var _ = NewDisposeScope();
        var (b, kv, g, capacity, length, offset) = (3, 2, 2, 40, 29, 7);
        var (rows, keys, values) = Inputs(b, kv, g, d, capacity, offset, seed: d);
        var q = rows.narrow(1, offset, kv * g * d).view(b, kv, g, d);
        var (k, v) = (keys.narrow(2, 0, length), values.narrow(2, 0, length));
        var mask = zeros(b, 1, 1, capacity);
        mask[1, 0, 0, TensorIndex.Slice(0, 6)] = tensor(float.MinValue);   // row 1: six left-padding positions
        foreach (var m in new Tensor?[] { null, mask })
        {
            var expected = nn.functional.scaled_dot_product_attention(q, k, v, m?.narrow(3, 0, length)).view(b, -1);
            var actual = DecodeAttention.Step(rows, offset, keys, values, length, m, g);
            Assert.Equal(new long[] { b, kv * g * d }, actual.shape);
            Assert.InRange((actual - expected).abs().max().item<float>(), 0, 1e-5);
        }
    }

    [Fact]
    public void ARowsAttentionIsTheSameBitsAloneOrInABatchOnOneOrTwoThreads()
    {
        using var _ = NewDisposeScope();
        var (b, kv, g, d, capacity, length) = (5, 2, 2, 64, 80, 77);
        var (rows, keys, values) = Inputs(b, kv, g, d, capacity, 0, seed: 3);
        var saved = DecodeWorkers.Ways;
        try
        {
            DecodeWorkers.Ways = 1;
            var batch = DecodeAttention.Step(rows, 0, keys, values, length, null, g);
            DecodeWorkers.Ways = 2;
            Assert.True(batch.eq(DecodeAttention.Step(rows, 0, keys, values, length, null, g)).all().item<bool>());
            for (var row = 0; row < b; row++)
            {
                var alone = DecodeAttention.Step(rows.narrow(0, row, 1).contiguous(), 0, keys.narrow(0, row, 1).contiguous(),
                    values.narrow(0, row, 1).contiguous(), length, null, g);
                Assert.True(alone.eq(batch.narrow(0, row, 1)).all().item<bool>(), $"row {row}");
            }
        }
        finally
        {
            DecodeWorkers.Ways = saved;
        }
    }

    [Fact]
    public void RejectsALengthBeyondTheBuffersOrAShortMask()
    {
        using var _ = NewDisposeScope();
        var (rows, keys, values) = Inputs(2, 2, 2, 16, 10, 0, seed: 5);
        Assert.Throws<ArgumentException>(() => DecodeAttention.Step(rows, 0, keys, values, 11, null, 2));
        Assert.Throws<ArgumentException>(() => DecodeAttention.Step(rows, 0, keys, values, 8, zeros(2, 1, 1, 7), 2));
        Assert.Throws<ArgumentException>(() => DecodeAttention.Step(rows.narrow(1, 1, 64), 0, keys, values, 8, null, 2));   // not contiguous
    }
}
