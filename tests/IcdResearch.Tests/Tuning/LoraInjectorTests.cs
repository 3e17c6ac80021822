using IcdResearch.Modeling;
using IcdResearch.Tuning;
using static TorchSharp.torch;

namespace IcdResearch.Tests;

public class LoraInjectorTests
{
    static Tensor Ids() => tensor(new long[] { 5, 9, 17, 3, 40, 41, 7, 8 }, [2, 4]);

    static void RandomiseB(CausalLM lm, int seed)
    {
        var g = new Generator((ulong)seed);
        using var _ = no_grad();
        foreach (var a in LoraInjector.Adapters(lm).Values) a.LoraB.normal_(0, 0.05, g);
    }

    [Fact]
    public void UntrainedAdaptersLeaveTheModelUnchangedAndOnlyLoraTrains()
    {
        TorchRuntime.EnsureLoaded();
        var lm = new CausalLM(ModelConfig.Tiny("qwen2"), seed: 1);
        using var ids = Ids();
        using var before = lm.Forward(ids);
        var adapters = LoraInjector.Apply(lm, new LoraConfig { Rank = 8, Dropout = 0 });
        Assert.Equal(14, adapters.Count);
        using var after = lm.Forward(ids);
        Assert.True(before.equal(after).all().item<bool>());

        // Per layer r·(in+out): q 8·(32+32), k and v 8·(32+16), o 8·(32+32), gate and up 8·(32+64), down 8·(64+32).
        var count = LoraInjector.CountParameters(lm);
        Assert.Equal(2 * (512 + 384 + 384 + 512 + 768 + 768 + 768), count.Trainable);
        Assert.All(lm.named_parameters().Where(p => p.parameter.requires_grad), p => Assert.Contains(".lora_", p.name));
    }

    [Fact]
    public void MergedAndUnmergedModelsAgree()
    {
        TorchRuntime.EnsureLoaded();
        var lm = new CausalLM(ModelConfig.Tiny("llama"), seed: 2);
        LoraInjector.Apply(lm, new LoraConfig { Rank = 4, Alpha = 8 });
        RandomiseB(lm, 3);
        lm.eval();
        using var ids = Ids();
        using var unmerged = lm.Forward(ids);
        LoraInjector.MergeAndUnload(lm);
        Assert.Empty(LoraInjector.Adapters(lm));
        Assert.DoesNotContain(lm.named_parameters(), p => p.name.Contains("lora_"));
        using var merged = lm.Forward(ids);
        Assert.True(merged.allclose(unmerged, rtol: 0, atol: 1e-5), $"max diff {(merged - unmerged).abs().max().item<float>()}");
    }

    [Fact]
    public void QLoraQuantisesTheBaseAndTrainsOnlyTheAdapters()
    {
        TorchRuntime.EnsureLoaded();
        var fp32 = new CausalLM(ModelConfig.Tiny("qwen2", hiddenSize: 64, intermediateSize: 128), seed: 4);
        using var ids = Ids();
        using var reference = fp32.Forward(ids);
        var lm = new CausalLM(ModelConfig.Tiny("qwen2", hiddenSize: 64, intermediateSize: 128), seed: 4);
        var adapters = LoraInjector.Apply(lm, new LoraConfig(), quantize: true);
        Assert.All(adapters.Values, a => Assert.IsType<QLoraLinear>(a));
        Assert.DoesNotContain(lm.named_parameters(), p => p.name.EndsWith("q_proj.weight") && !p.name.Contains("lora_"));

        lm.train();
        using var logits = lm.Forward(ids);
        // NF4 changes the base a little, not the function: logits stay close to the fp32 model's.
        var relative = ((logits - reference).norm() / reference.norm()).item<float>();
        Assert.True(relative < 0.2, $"relative logit change {relative}");
        logits.square().mean().backward();
        foreach (var (name, p) in lm.named_parameters())
            if (name.Contains("lora_B")) Assert.True(p.grad!.abs().sum().item<float>() > 0, name);
            else if (name.Contains("lora_A")) Assert.NotNull(p.grad);   // zero while B = 0, but tracked
            else Assert.Null(p.grad);
        var count = LoraInjector.CountParameters(lm);
        Assert.True(count.Total > count.Trainable * 5);
    }

    [Fact]
    public void QLoraOnAnNf4LoadedModelReusesItsProjectionsAndTrainsTheAdapters()
    {
        TorchRuntime.EnsureLoaded();
        var dir = Path.Combine(Path.GetTempPath(), "icd-qlora-nf4-" + Guid.NewGuid().ToString("N"));
        try
        {
            using (var saved = new CausalLM(ModelConfig.Tiny("qwen2"), seed: 6)) saved.SavePretrained(dir);
            using var lm = CausalLM.FromPretrained(dir, nf4Projections: true);   // what FineTuneRun loads for QLoRA
            var before = lm.NamedProjections().ToDictionary(p => p.Name, p => p.Module);
            using var ids = Ids();
            using var logitsBefore = lm.Forward(ids);
            var adapters = LoraInjector.Apply(lm, new LoraConfig { Rank = 4, Dropout = 0 }, quantize: true);
            Assert.Equal(14, adapters.Count);
            // The NF4 bases are the loaded ones (same objects: not quantised a second time), and untrained adapters change nothing.
            Assert.All(adapters, a => Assert.Same(before[a.Key], Assert.IsType<QLoraLinear>(a.Value).QuantizedBase));
            using var logitsAfter = lm.Forward(ids);
            Assert.True(logitsBefore.equal(logitsAfter).all().item<bool>());
            lm.train();
            lm.Forward(ids).square().mean().backward();
            foreach (var (name, p) in lm.named_parameters())
                if (name.Contains("lora_B")) Assert.True(p.grad!.abs().sum().item<float>() > 0, name);
                else if (!name.Contains("lora_A")) Assert.Null(p.grad);
        }
        finally { if (Directory.Exists(dir)) Directory.Delete(dir, true); }
    }

    [Fact]
    public void ReportsTargetsThatMatchNothing()
    {
        TorchRuntime.EnsureLoaded();
        var lm = new CausalLM(ModelConfig.Tiny("qwen2"), seed: 5);
        var e = Assert.Throws<ArgumentException>(() => LoraInjector.Apply(lm, new LoraConfig { TargetModules = ["query_key_value"] }));
        Assert.Contains("q_proj", e.Message);
    }
}
