using IcdResearch.Modeling;
using TorchSharp.Modules;

namespace IcdResearch.Tuning;

/// <summary>
/// QLoRA layer (Dettmers et al. 2023, §3, Eq. 5): the frozen base weight is quantised to NF4 with double-quantised scales
/// (<see cref="Nf4Linear"/>, dequantised in each forward pass) and a full-precision LoRA adapter is trained beside it.
/// Gradients reach only lora_A and lora_B.
/// </summary>
public sealed class QLoraLinear : LoraLinear
{
    /// <summary>Quantises <paramref name="baseLayer"/> to NF4 (the fp32 weight can then be released) and adds an adapter.</summary>
    public QLoraLinear(Linear baseLayer, LoraConfig config)
        : base(new Nf4Linear(baseLayer), baseLayer.in_features, baseLayer.out_features, config) { }

    /// <summary>Adds an adapter beside an already-quantised base (a model loaded with `--dtype nf4`): no second quantisation.</summary>
    public QLoraLinear(Nf4Linear quantizedBase, LoraConfig config)
        : base(quantizedBase, quantizedBase.InFeatures, quantizedBase.OutFeatures, config) { }

    public Nf4Linear QuantizedBase => (Nf4Linear)BaseLayer;
}
