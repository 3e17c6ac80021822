using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace IcdResearch.Modeling;

/// <summary>
/// Root-mean-square layer norm as in HF <c>Qwen2RMSNorm</c>/<c>LlamaRMSNorm</c>: normalise in fp32 with ε inside the
/// square root, cast back to the input dtype, then scale by <c>weight</c>.
/// </summary>
public sealed class RmsNorm : nn.Module<Tensor, Tensor>
{
#pragma warning disable IDE1006 // HF parameter names
    readonly Parameter weight;
#pragma warning restore IDE1006
    readonly double _eps;

    internal Tensor Weight => weight;
    internal double Eps => _eps;

    public RmsNorm(long size, double eps, WeightPlacement? placement = null) : base(nameof(RmsNorm))
    {
        weight = new Parameter(ones(size, dtype: placement?.Dtype, device: placement?.Device));
        _eps = eps;
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = input.to_type(ScalarType.Float32);
        // mean(x²) as ‖x‖²/n: one fused reduction instead of a full-size pow (faster forward and backward).
        var meanSquare = linalg.vector_norm(x, 2, [-1], keepdim: true).square() / x.shape[^1];
        var normed = x * rsqrt(meanSquare + _eps);
        return (weight * normed.to_type(input.dtype)).MoveToOuterDisposeScope();
    }
}
