using static TorchSharp.torch;

namespace IcdResearch.Modeling;

/// <summary>SwiGLU feed-forward: down_proj(silu(gate_proj(x)) ⊙ up_proj(x)).</summary>
public sealed class Mlp : nn.Module<Tensor, Tensor>, IHasProjections
{
#pragma warning disable IDE1006 // HF parameter names
    nn.Module<Tensor, Tensor> gate_proj, up_proj, down_proj;
#pragma warning restore IDE1006

    public Mlp(ModelConfig config, WeightPlacement? placement = null) : base(nameof(Mlp))
    {
        placement ??= WeightPlacement.Default;
        gate_proj = placement.Projection(config.HiddenSize, config.IntermediateSize, config.MlpBias);
        up_proj = placement.Projection(config.HiddenSize, config.IntermediateSize, config.MlpBias);
        down_proj = placement.Projection(config.IntermediateSize, config.HiddenSize, config.MlpBias);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        return down_proj.call(nn.functional.silu(gate_proj.call(x)) * up_proj.call(x)).MoveToOuterDisposeScope();
    }

    public IEnumerable<(string Name, nn.Module<Tensor, Tensor> Module)> Projections() =>
        [("gate_proj", gate_proj), ("up_proj", up_proj), ("down_proj", down_proj)];

    public void ReplaceProjection(string name, nn.Module<Tensor, Tensor> replacement)
    {
        switch (name)
        {
            case "gate_proj": gate_proj = replacement; break;
            case "up_proj": up_proj = replacement; break;
            case "down_proj": down_proj = replacement; break;
            default: throw new ArgumentException($"Mlp has no projection '{name}'", nameof(name));
        }
        _internal_submodules[name] = replacement; // keep the registered submodule in step with the field
    }
}
