using IcdResearch.Modeling;
using static TorchSharp.torch;

namespace IcdResearch.Tests;

public class CausalLMProjectionTests
{
    /// <summary>A stand-in adapter: wraps a projection and adds a trainable offset (as a LoRA module would add BAx).</summary>
    sealed class Offset : nn.Module<Tensor, Tensor>
    {
#pragma warning disable IDE1006
        readonly nn.Module<Tensor, Tensor> inner;
        readonly TorchSharp.Modules.Parameter offset;
#pragma warning restore IDE1006
        public Offset(nn.Module<Tensor, Tensor> inner, long outFeatures) : base("Offset")
        {
            this.inner = inner;
            offset = new TorchSharp.Modules.Parameter(full(outFeatures, 0.5f));
            RegisterComponents();
        }
        public override Tensor forward(Tensor x) => inner.call(x) + offset;
    }

    [Fact]
    public void ListsAndReplacesEveryProjectionByItsHfName()
    {
        TorchRuntime.EnsureLoaded();
        var lm = new CausalLM(ModelConfig.Tiny("qwen2", layers: 2), seed: 1);
        var names = lm.NamedProjections().Select(p => p.Name).ToList();
        Assert.Equal(14, names.Count);
        Assert.Contains("model.layers.1.self_attn.q_proj", names);
        Assert.Contains("model.layers.0.mlp.down_proj", names);
        var parameterNames = lm.named_parameters().Select(p => p.name).ToHashSet();
        Assert.All(names, n => Assert.Contains(n + ".weight", parameterNames));

        using var _ = no_grad();
        var ids = tensor(new long[] { 4, 5, 6 }, [1, 3]);
        var before = lm.Forward(ids);
        var original = lm.NamedProjections().Single(p => p.Name == "model.layers.0.self_attn.v_proj").Module;
        lm.ReplaceProjection("model.layers.0.self_attn.v_proj", new Offset(original, 16));

        var after = lm.NamedProjections().Single(p => p.Name == "model.layers.0.self_attn.v_proj").Module;
        Assert.IsType<Offset>(after);
        var parameters = lm.named_parameters().Select(p => p.name).ToList();
        Assert.Contains("model.layers.0.self_attn.v_proj.offset", parameters);
        Assert.Contains("model.layers.0.self_attn.v_proj.inner.weight", parameters);
        Assert.DoesNotContain("model.layers.0.self_attn.v_proj.weight", parameters);
        Assert.False(before.allclose(lm.Forward(ids)));   // the forward pass goes through the replacement

        Assert.Throws<ArgumentException>(() => lm.ReplaceProjection("model.layers.9.mlp.up_proj", original));
        Assert.Throws<ArgumentException>(() => lm.ReplaceProjection("model.layers.0.mlp.q_proj", original));
    }

    [Fact]
    public void HiddenStatesHaveHiddenSizeAndGradientsFlow()
    {
        TorchRuntime.EnsureLoaded();
        var lm = new CausalLM(ModelConfig.Tiny("llama"), seed: 2);
        var ids = tensor(new long[] { 1, 2, 3, 4, 5, 6 }, [2, 3]);
        Assert.Equal(new long[] { 2, 3, 32 }, lm.HiddenStates(ids).shape);
        var logits = lm.Forward(ids);
        var loss = nn.functional.cross_entropy(logits.narrow(1, 0, 2).reshape(-1, 96), ids.narrow(1, 1, 2).reshape(-1));
        loss.backward();
        Assert.All(lm.parameters(), p => Assert.NotNull(p.grad));
        Assert.True(lm.parameters().First().grad!.abs().sum().item<float>() > 0);
    }
}
