using IcdResearch.Inference;
using IcdResearch.Modeling;
using static TorchSharp.torch;

namespace IcdResearch.Tests;

/// <summary>The fused inference form of a model against the module path it is built from (the reference).</summary>
public class FusedDecoderTests
{
    static CausalLM Model(string type, bool tied, bool attentionBias = false, int seed = 5)
    {
        TorchRuntime.EnsureLoaded();
        var config = ModelConfig.Tiny(type, vocabSize: 96, tieWordEmbeddings: tied, attentionBias: attentionBias, intermediateSize: 48);
        config.InitializerRange = 0.15;   // logits of order 1–10, as a trained model's
        var lm = new CausalLM(config, seed);
        using (no_grad())   // non-trivial norm weights, so folding them into the matmuls is exercised
            foreach (var (name, p) in lm.named_parameters().Where(p => p.name.EndsWith("norm.weight"))) p.uniform_(0.5, 1.5);
        return lm;
    }

    public static TheoryData<string, bool, bool> Layouts => new()
    {
        { "qwen2", true, false },    // q/k/v biases, tied LM head (the project's backbone)
        { "llama", false, true },    // attention_bias: biased o_proj too; separate lm_head
        { "llama", false, false },
    };

    [Theory]
    [MemberData(nameof(Layouts))]
    public void PrefillAndStepLogitsMatchTheModulesWithLeftPadding(string type, bool tied, bool bias)
    {
        using var lm = Model(type, tied, bias);
        lm.eval();
        using var _ = no_grad();
        var fused = lm.Fused() ?? throw new Xunit.Sdk.XunitException("expected a fused decoder");
        Assert.Same(fused, lm.Fused());
        // Row 0 is left-padded by two columns; the reference recomputes everything with the HF-style padding mask.
        var ids = tensor(new long[] { 0, 0, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14 }, [2, 6]);
        var keep = tensor(new long[] { 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1 }, [2, 6]);
        using var cache = fused.NewCache(2);   // smaller than needed: the generated-token buffers must grow
        AssertClose(lm.Forward(ids, keep).select(1, -1), fused.Prefill(ids, keep, cache));
        for (var step = 0; step < 5; step++)
        {
            var next = tensor(new long[] { 20 + 7 * step, 30 + 3 * step }, [2]);
            var logits = fused.Step(next, cache);
            ids = cat([ids, next.unsqueeze(1)], 1);
            keep = cat([keep, ones(2, 1, dtype: ScalarType.Int64)], 1);
            AssertClose(lm.Forward(ids, keep).select(1, -1), logits);
        }
    }

    [Theory]
    [MemberData(nameof(Layouts))]
    public void RowsSharingAPromptMatchTheModulesAsRowsAreRepeatedDroppedAndReordered(string type, bool tied, bool bias) =>
        // Each entry: the rows kept (indices into the previous rows), in their new order; repeated at once, as the voting rounds are.
        AssertSelections(type, tied, bias, [[0, 0, 0, 1, 1, 1], [0, 1, 2, 3, 4, 5], [0, 2, 3, 5], [3, 0, 2], [1, 2], [1]], contiguousUntil: 0);

    [Theory]
    [MemberData(nameof(Layouts))]
    public void RowsWithTheirOwnPromptsStayContiguousWhenReorderedOrDroppedAndSplitWhenRepeatedLater(string type, bool tied, bool bias) =>
        // Two steps with one row per prompt (reordered, then both kept), then a repeat after generated tokens exist, then drops.
        AssertSelections(type, tied, bias, [[1, 0], [0, 1], [0, 1, 1, 0], [3, 1], [1]], contiguousUntil: 2);

    [Fact]
    public void ARowsLogitsAreTheSameBitsAloneOrSharingItsPromptWithOtherRows()
    {
        using var lm = Model("qwen2", tied: true);
        lm.eval();
        using var _ = no_grad();
        var fused = lm.Fused()!;
        var prompt = tensor(new long[] { 5, 6, 7, 8, 9, 10, 11 }, [1, 7]);
        using var alone = fused.NewCache(2);
        using var shared = fused.NewCache(2);
        fused.Prefill(prompt, null, alone).Dispose();
        fused.Prefill(prompt, null, shared).Dispose();
        shared.SelectRows([0, 0, 0]);   // three rows continue the prompt: the shared-prefix path
        Assert.False(shared.Contiguous);
        for (var step = 0; step < 4; step++)
        {
            var own = 20 + 7 * step;
            using var one = fused.Step(tensor(new long[] { own }), alone);
            using var three = fused.Step(tensor(new long[] { 40 + step, own, 60 - step }), shared);
            Assert.True(one.eq(three.narrow(0, 1, 1)).all().item<bool>(), $"step {step}");
        }
    }

    /// <summary>
    /// Two prompts (the first left-padded) are prefilled; before each step the cache keeps <paramref name="selections"/>[i];
    /// every row's logits must equal its whole sequence run alone through the modules. The cache stays
    /// <see cref="SharedPrefixCache.Contiguous"/> for the first <paramref name="contiguousUntil"/> selections only.
    /// </summary>
    static void AssertSelections(string type, bool tied, bool bias, long[][] selections, int contiguousUntil)
    {
        using var lm = Model(type, tied, bias);
        lm.eval();
        using var _ = no_grad();
        var fused = lm.Fused()!;
        var prompts = new[] { new long[] { 0, 0, 5, 6, 7, 8 }, new long[] { 9, 10, 11, 12, 13, 14 } };
        var real = new[] { 2, 0 };
        using var cache = fused.NewCache(2);   // the buffers grow while decoding
        fused.Prefill(tensor(prompts.SelectMany(p => p).ToArray(), [2, 6]), tensor(new long[] { 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1 }, [2, 6]), cache).Dispose();
        var rows = new List<List<long>> { prompts[0].ToList(), prompts[1].ToList() };
        var promptOf = new List<int> { 0, 1 };
        for (var step = 0; step < selections.Length; step++)
        {
            cache.SelectRows(selections[step]);
            Assert.Equal(step < contiguousUntil, cache.Contiguous);
            rows = selections[step].Select(r => rows[(int)r].ToList()).ToList();
            promptOf = selections[step].Select(r => promptOf[(int)r]).ToList();
            var next = Enumerable.Range(0, rows.Count).Select(i => (long)(20 + 7 * step + 3 * i)).ToArray();
            var logits = fused.Step(tensor(next), cache);
            for (var i = 0; i < rows.Count; i++)
            {
                rows[i].Add(next[i]);
                // The reference: this row's whole sequence alone, without its padding, through the modules.
                var alone = tensor(rows[i].Skip(real[promptOf[i]]).ToArray(), [1, rows[i].Count - real[promptOf[i]]]);
                AssertClose(lm.Forward(alone).select(1, -1), logits.narrow(0, i, 1));
            }
            Assert.Equal(promptOf.Distinct().Count(), cache.PrefixOfRow.Distinct().Count());
        }
    }

    [Fact]
    public void UnpaddedPrefillMatchesTheModules()
    {
        using var lm = Model("qwen2", tied: true);
        lm.eval();
        using var _ = no_grad();
        var ids = tensor(Enumerable.Range(3, 20).Select(i => (long)i).ToArray(), [2, 10]);
        using var cache = lm.Fused()!.NewCache(16);
        AssertClose(lm.Forward(ids).select(1, -1), lm.Fused()!.Prefill(ids, null, cache));
        var next = tensor(new long[] { 40, 41 }, [2]);
        AssertClose(lm.Forward(cat([ids, next.unsqueeze(1)], 1)).select(1, -1), lm.Fused()!.Step(next, cache));
    }

    [Fact]
    public void IsRebuiltFromNewWeightsAndOnlyForSupportedModels()
    {
        using var lm = Model("qwen2", tied: true);
        lm.eval();
        using var _ = no_grad();
        var ids = tensor(new long[] { 4, 5, 6 }, [1, 3]);
        var before = lm.Fused()!;
        // Loading other weights (as a fine-tuning result would be) must not leave the old fused copy in use.
        using var other = Model("qwen2", tied: true, seed: 9);
        lm.LoadWeights(other.named_parameters().ToDictionary(p => p.name, p => (Tensor)p.parameter));
        var after = lm.Fused()!;
        Assert.NotSame(before, after);
        using var cache = after.NewCache(4);
        AssertClose(other.Forward(ids).select(1, -1), after.Prefill(ids, null, cache));
        lm.train();
        lm.eval();
        Assert.NotSame(after, lm.Fused());

        Assert.Null(Model("qwen3", tied: false).Fused());   // per-head q/k norms: decoded through the modules
    }

    static void AssertClose(Tensor expected, Tensor actual)
    {
        Assert.Equal(expected.shape, actual.shape);
        var gap = (expected - actual).abs().max().item<float>();
        Assert.True(gap <= 1e-5, $"fused logits differ from the modules' by {gap} (largest logit {expected.abs().max().item<float>()})");
        Assert.True(expected.abs().max().item<float>() > 0.1, "setup: logits should not be trivially small");
    }
}
