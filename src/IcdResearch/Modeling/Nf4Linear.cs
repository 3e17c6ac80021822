using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace IcdResearch.Modeling;

/// <summary>
/// A frozen linear layer whose weight is stored in NF4 (<see cref="Nf4Tensor"/>) and dequantised to fp32 on the fly in
/// every forward pass (Dettmers et al. 2023, QLoRA §3, Eq. 5: Y = X·doubleDequant(c₁, c₂, W_NF4)). It has no trainable parameters; gradients
/// still flow through it to the input, so LoRA adapters placed before or beside it train normally.
/// The quantised storage lives outside the module's parameters (CPU only; this project has no GPU path), so a model
/// loaded with NF4 projections (<see cref="CausalLM.FromPretrained"/>, `--dtype nf4`) lists no dense projection weight.
/// </summary>
public sealed class Nf4Linear : nn.Module<Tensor, Tensor>
{
    readonly Nf4Tensor _weight;
    readonly Parameter? bias;

    /// <summary>Quantises <paramref name="source"/>'s weight; its bias (if any) is kept in its dtype, frozen.</summary>
    public Nf4Linear(Linear source) : this(source.weight!, source.bias) { }

    /// <summary>
    /// Quantises a dense weight [out, in] (any float dtype, e.g. a tensor streamed from a checkpoint, which the caller may
    /// dispose afterwards); a copy of <paramref name="bias"/> [out] is kept in its dtype, frozen.
    /// </summary>
    public Nf4Linear(Tensor weight, Tensor? bias) : base(nameof(Nf4Linear))
    {
        if (weight.dim() != 2) throw new ArgumentException($"a linear weight is [out, in], got [{string.Join(",", weight.shape)}]", nameof(weight));
        OutFeatures = weight.shape[0];
        InFeatures = weight.shape[1];
        _weight = Nf4Tensor.Quantize(weight);
        if (bias is not null) this.bias = new Parameter(bias.detach().clone(), requires_grad: false);
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
