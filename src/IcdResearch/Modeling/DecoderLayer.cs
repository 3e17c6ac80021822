using IcdResearch.Inference;
using static TorchSharp.torch;

namespace IcdResearch.Modeling;

/// <summary>Pre-norm transformer block: x + Attn(RMSNorm(x)), then x + MLP(RMSNorm(x)).</summary>
public sealed class DecoderLayer : nn.Module
{
#pragma warning disable IDE1006 // HF parameter names
    internal readonly Attention self_attn;
    internal readonly Mlp mlp;
    internal readonly RmsNorm input_layernorm, post_attention_layernorm;
#pragma warning restore IDE1006

    public DecoderLayer(ModelConfig config, int layerIndex, WeightPlacement? placement = null) : base(nameof(DecoderLayer))
    {
        self_attn = new Attention(config, layerIndex, placement);
        mlp = new Mlp(config, placement);
        input_layernorm = new RmsNorm(config.HiddenSize, config.RmsNormEps, placement);
        post_attention_layernorm = new RmsNorm(config.HiddenSize, config.RmsNormEps, placement);
        RegisterComponents();
    }

    public Tensor forward(Tensor x, Tensor cos, Tensor sin, Tensor? mask, KvCache? cache)
    {
        using var scope = NewDisposeScope();
        var h = x + self_attn.forward(input_layernorm.call(x), cos, sin, mask, cache);
        return (h + mlp.call(post_attention_layernorm.call(h))).MoveToOuterDisposeScope();
    }
}
