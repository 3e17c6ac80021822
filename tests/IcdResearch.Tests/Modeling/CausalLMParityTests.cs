using IcdResearch.Modeling;
using static TorchSharp.torch;

namespace IcdResearch.Tests;

/// <summary>CausalLM logits vs. the naive float-loop reference (<see cref="ReferenceCheckpoint"/>) to 1e-4.</summary>
public class CausalLMParityTests : IDisposable
{
    readonly string _dir = Path.Combine(Path.GetTempPath(), $"icd-parity-{Guid.NewGuid():N}");

    public CausalLMParityTests() => TorchRuntime.EnsureLoaded();

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    public static TheoryData<string, bool, int, bool> Cases => new()
    {
        // model type, bf16 file, shards, tied embeddings
        { "qwen2", false, 1, false },
        { "qwen2", true, 3, true },
        { "qwen3", false, 2, false },
        { "qwen3", true, 1, true },
        { "llama", false, 1, false },
        { "llama", true, 2, false },
    };

    static ReferenceCheckpoint Make(string type, bool bf16, bool tied, int seed)
    {
        var r = new ReferenceCheckpoint { ModelType = type, Tied = tied };
        switch (type)
        {
            case "qwen3": r.HeadDim = 16; r.Theta = 1_000_000; r.AttentionBias = tied; break;   // head_dim ≠ hidden/heads
            case "llama": r.Theta = 500_000; r.Eps = 1e-5; r.AttentionBias = !bf16; r.KvHeads = 1;
                if (bf16) r.Llama3Scaling = (8.0, 1.0, 4.0, 64); break;
        }
        return r.Randomize(seed, bf16);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void LogitsMatchTheNaiveReference(string type, bool bf16, int shards, bool tied)
    {
        var reference = Make(type, bf16, tied, seed: type.Length * 7 + (bf16 ? 1 : 0));
        reference.Write(_dir, bf16, shards, seed: 5);
        var ids = new[] { 3, 1, 4, 1, 5, 92, 6, 53, 58, 9, 79, 3 };
        var expected = reference.Logits(ids);

        using var lm = CausalLM.FromPretrained(_dir);
        using var _ = no_grad();
        using var input = tensor(ids.Select(i => (long)i).ToArray(), [1, ids.Length]);
        using var logits = lm.Forward(input);
        Assert.Equal(new long[] { 1, ids.Length, reference.Vocab }, logits.shape);
        var actual = logits.data<float>().ToArray();
        var worst = 0.0;
        for (var t = 0; t < ids.Length; t++)
            for (var v = 0; v < reference.Vocab; v++)
                worst = Math.Max(worst, Math.Abs(actual[t * reference.Vocab + v] - expected[t][v]));
        Assert.True(worst < 1e-4, $"max |Δlogit| = {worst}");
        // The logits must carry signal, not be trivially equal.
        Assert.True(expected.SelectMany(r => r).Select(Math.Abs).Max() > 0.5);
    }

    [Fact]
    public void LeftPaddedBatchAndKvCacheReproduceSingleSequenceLogits()
    {
        var reference = Make("qwen3", bf16: false, tied: false, seed: 11);
        reference.Write(_dir, bf16: false, shards: 1, seed: 1);
        using var lm = CausalLM.FromPretrained(_dir);
        using var _ = no_grad();
        long[] a = [5, 6, 7, 8, 9, 10], b = [11, 12, 13];
        using var single = lm.Forward(tensor(b, [1, 3]));

        // Batch [a; pad pad pad b] with a padding mask.
        using var ids = tensor(a.Concat(new long[] { 0, 0, 0 }.Concat(b)).ToArray(), [2, 6]);
        using var mask = tensor(new long[] { 1, 1, 1, 1, 1, 1, 0, 0, 0, 1, 1, 1 }, [2, 6]);
        using var batch = lm.Forward(ids, mask);
        AssertClose(single[0], batch[1].narrow(0, 3, 3));

        // Right padding (SFT batches): [b pad pad pad; a] matches too at the real positions.
        using var rightIds = tensor(b.Concat(new long[] { 0, 0, 0 }).Concat(a).ToArray(), [2, 6]);
        using var rightMask = tensor(new long[] { 1, 1, 1, 0, 0, 0, 1, 1, 1, 1, 1, 1 }, [2, 6]);
        using var right = lm.Forward(rightIds, rightMask);
        AssertClose(single[0], right[0].narrow(0, 0, 3));
        AssertClose(lm.Forward(tensor(a, [1, 6]))[0], right[1]);

        // Prefill 4 tokens then decode the rest one by one through the cache: same logits as one full pass.
        using var full = lm.Forward(tensor(a, [1, 6]));
        using var cache = lm.NewCache(initialCapacity: 2);   // forces the cache buffers to grow
        var steps = new List<Tensor> { lm.Forward(tensor(a[..4], [1, 4]), cache: cache) };
        for (var i = 4; i < a.Length; i++) steps.Add(lm.Forward(tensor(new[] { a[i] }, [1, 1]), cache: cache));
        Assert.Equal(6, cache.Length);
        AssertClose(full[0], cat(steps, 1)[0]);

        // Two-token chunk on top of a cache uses an explicit offset causal mask.
        using var cache2 = lm.NewCache();
        var first = lm.Forward(tensor(a[..3], [1, 3]), cache: cache2);
        var second = lm.Forward(tensor(a[3..], [1, 3]), cache: cache2);
        AssertClose(full[0], cat([first, second], 1)[0]);
    }

    static void AssertClose(Tensor expected, Tensor actual)
    {
        Assert.Equal(expected.shape, actual.shape);
        var diff = (expected - actual).abs().max().item<float>();
        Assert.True(diff < 1e-4, $"max |Δ| = {diff}");
    }
}
