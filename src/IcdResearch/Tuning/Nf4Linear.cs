using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace IcdResearch.Tuning;

/// <summary>
/// A frozen linear layer whose weight is stored in NF4 (<see cref="Nf4Tensor"/>) and dequantised to fp32 on the fly in
/// every forward pass (Dettmers et al. 2023, QLoRA §3, Eq. 5: Y = X·doubleDequant(c₁, c₂, W_NF4)). It has no trainable parameters; gradients
/// still flow through it to the input, so LoRA adapters placed before or beside it train normally.
/// The quantised storage lives outside the module's parameters (CPU only; this project has no GPU path).
/// </summary>
public sealed class Nf4Linear : nn.Module<Tensor, Tensor>
{
    readonly Nf4Tensor _weight;
    readonly Parameter? bias;

    /// <summary>Quantises <paramref name="source"/>'s weight; its bias (if any) is kept in fp32, frozen.</summary>
    public Nf4Linear(Linear source) : base(nameof(Nf4Linear))
    {
        InFeatures = source.in_features;
        OutFeatures = source.out_features;
        _weight = Nf4Tensor.Quantize(source.weight);
        if (source.bias is not null) bias = new Parameter(source.bias.detach().clone(), requires_grad: false);
        RegisterComponents();
    }

    public long InFeatures { get; }
    public long OutFeatures { get; }
    public Nf4Tensor QuantizedWeight => _weight;

    /// <summary>The fp32 weight as seen by the forward pass.</summary>
    public Tensor DequantizedWeight() => _weight.Dequantize();

    public override Tensor forward(Tensor input)
    {
        using var weight = _weight.Dequantize(input.dtype);
        return nn.functional.linear(input, weight, bias);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) _weight.Dispose();
        base.Dispose(disposing);
    }
}
