using IcdResearch.Modeling;
using IcdResearch.Tuning;
using TorchSharp;
using static TorchSharp.torch;

namespace IcdResearch.Tests;

public class LoraLinearTests
{
    static LoraLinear Trained(TorchSharp.Modules.Linear baseLayer, LoraConfig config)
    {
        var lora = new LoraLinear(baseLayer, config);
        using (no_grad()) lora.LoraB.normal_(0, 0.1);   // stand-in for training: B is non-zero
        return lora;
    }

    [Fact]
    public void UntrainedAdapterChangesNothing()
    {
        TorchRuntime.EnsureLoaded();
        using var lin = nn.Linear(32, 24);
        using var x = randn(4, 32);
        using var before = lin.forward(x);
        var lora = new LoraLinear(lin, new LoraConfig { Rank = 4, Dropout = 0 });
        using var after = lora.forward(x);
        Assert.True(before.equal(after).all().item<bool>());
        Assert.True(lora.LoraA.abs().sum().item<float>() > 0, "A is initialised randomly");
        Assert.Equal(0f, lora.LoraB.abs().sum().item<float>());
    }

    [Fact]
    public void MergedAndUnmergedForwardAgree()
    {
        TorchRuntime.EnsureLoaded();
        using var lin = nn.Linear(48, 40);
        using var originalWeight = lin.weight!.detach().clone();
        var lora = Trained(lin, new LoraConfig { Rank = 8, Alpha = 16, Dropout = 0.05 });
        lora.eval();
        using var x = randn(6, 48);
        using var unmerged = lora.forward(x);
        using var baseOnly = lin.forward(x);
        Assert.False(unmerged.allclose(baseOnly, atol: 1e-3), "the trained adapter must change the output");

        lora.Merge();
        using var merged = lora.forward(x);
        Assert.True(merged.allclose(unmerged, rtol: 0, atol: 1e-5));

        lora.Unmerge();
        using var again = lora.forward(x);
        Assert.True(again.allclose(unmerged, rtol: 0, atol: 1e-5));
        Assert.True(lin.weight!.allclose(originalWeight, rtol: 0, atol: 1e-6));
    }

    [Fact]
    public void ForwardIsBasePlusScaledLowRankUpdate()
    {
        TorchRuntime.EnsureLoaded();
        using var lin = nn.Linear(16, 8);
        var lora = Trained(lin, new LoraConfig { Rank = 2, Alpha = 6, Dropout = 0 });
        using var x = randn(3, 16);
        using var expected = lin.forward(x) + x.matmul(lora.LoraA.t()).matmul(lora.LoraB.t()) * 3.0;
        using var y = lora.forward(x);
        Assert.True(y.allclose(expected, rtol: 0, atol: 1e-5));
    }

    [Fact]
    public void GradientsReachOnlyTheAdapter()
    {
        TorchRuntime.EnsureLoaded();
        foreach (var quantised in new[] { false, true })
        {
            using var lin = nn.Linear(64, 32);
            LoraLinear lora = quantised ? new QLoraLinear(lin, new LoraConfig()) : new LoraLinear(lin, new LoraConfig());
            lora.train();
            var trainable = lora.named_parameters().Where(p => p.parameter.requires_grad).Select(p => p.name).Order().ToArray();
            Assert.Equal(new[] { "lora_A.weight", "lora_B.weight" }, trainable);
            using var x = randn(4, 64);
            lora.forward(x).square().sum().backward();
            Assert.True(lora.LoraB.grad!.abs().sum().item<float>() > 0);
            Assert.Null(lin.weight!.grad);
        }
    }

    [Fact]
    public void QLoraMatchesLoraOnTheDequantisedBase()
    {
        TorchRuntime.EnsureLoaded();
        using var lin = nn.Linear(64, 16);
        var config = new LoraConfig { Rank = 4, Dropout = 0 };
        var qlora = new QLoraLinear(lin, config);
        using (no_grad()) qlora.LoraB.normal_(0, 0.1);
        using var x = randn(2, 64);
        using var w = qlora.QuantizedBase.DequantizedWeight();
        using var expected = nn.functional.linear(x, w, lin.bias) + x.matmul(qlora.LoraA.t()).matmul(qlora.LoraB.t()) * config.Scaling;
        using var y = qlora.forward(x);
        Assert.True(y.allclose(expected, rtol: 0, atol: 1e-5));
        Assert.Throws<NotSupportedException>(qlora.Merge);
    }

    [Fact]
    public void RejectsInvalidConfig()
    {
        TorchRuntime.EnsureLoaded();
        using var lin = nn.Linear(4, 4);
        Assert.Throws<ArgumentException>(() => new LoraLinear(lin, new LoraConfig { Rank = 0 }));
        Assert.Throws<ArgumentException>(() => new LoraLinear(lin, new LoraConfig { Dropout = 1 }));
        Assert.True(new LoraConfig().Targets("model.layers.0.self_attn.q_proj"));
        Assert.False(new LoraConfig().Targets("model.layers.0.self_attn.xq_proj"));
    }
}
