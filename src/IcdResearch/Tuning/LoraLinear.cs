using IcdResearch.Modeling;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace IcdResearch.Tuning;

/// <summary>
/// A linear layer with a LoRA adapter (Hu et al. 2021, §4.1, Eq. 3): h = W₀x + (α/r)·B·A·dropout(x), with
/// A ∈ ℝ^{r×in} initialised randomly (Kaiming-uniform, a = √5, as PEFT) and B ∈ ℝ^{out×r} initialised to zero, so an
/// untrained adapter leaves the layer's output unchanged. The base layer is frozen; only A and B train.
/// Structured like litgpt's lora.py LoRALinear; sub-module names follow PEFT (base_layer, lora_A, lora_B, lora_dropout),
/// so <c>lora_A.weight</c>/<c>lora_B.weight</c> map one-to-one onto PEFT's adapter tensors.
/// The base is an fp32 <see cref="Linear"/> (LoRA) or an NF4 <see cref="Nf4Linear"/> (QLoRA, see <see cref="QLoraLinear"/>).
/// </summary>
public class LoraLinear : nn.Module<Tensor, Tensor>
{
    readonly nn.Module<Tensor, Tensor> base_layer;
    readonly Linear lora_A;
    readonly Linear lora_B;
    readonly Dropout lora_dropout;

    /// <summary>Wraps an fp32 linear layer (freezing it).</summary>
    public LoraLinear(Linear baseLayer, LoraConfig config)
        : this(baseLayer, baseLayer.in_features, baseLayer.out_features, config) { }

    protected LoraLinear(nn.Module<Tensor, Tensor> baseLayer, long inFeatures, long outFeatures, LoraConfig config)
        : base(nameof(LoraLinear))
    {
        config.Validate();
        Config = config;
        InFeatures = inFeatures;
        OutFeatures = outFeatures;
        base_layer = baseLayer;
        foreach (var p in baseLayer.parameters()) p.requires_grad = false;
        lora_A = nn.Linear(inFeatures, config.Rank, hasBias: false, dtype: float32);
        lora_B = nn.Linear(config.Rank, outFeatures, hasBias: false, dtype: float32);
        using (no_grad())
        {
            nn.init.kaiming_uniform_(lora_A.weight, a: Math.Sqrt(5));
            nn.init.zeros_(lora_B.weight);
        }
        lora_dropout = nn.Dropout(config.Dropout);
        RegisterComponents();
    }

    public LoraConfig Config { get; }
    public long InFeatures { get; }
    public long OutFeatures { get; }
    public double Scaling => Config.Scaling;
    public nn.Module<Tensor, Tensor> BaseLayer => base_layer;
    /// <summary>A: [r, in]. PEFT tensor <c>&lt;module&gt;.lora_A.weight</c>.</summary>
    public Parameter LoraA => lora_A.weight!;
    /// <summary>B: [out, r]. PEFT tensor <c>&lt;module&gt;.lora_B.weight</c>.</summary>
    public Parameter LoraB => lora_B.weight!;
    /// <summary>True while BA is folded into the base weight (the adapter branch is then skipped).</summary>
    public bool Merged { get; private set; }

    public override Tensor forward(Tensor input)
    {
        var result = base_layer.forward(input);
        if (Merged) return result;
        using (NewDisposeScope())
        {
            // The adapter computes in its own (fp32) dtype also over a bf16 base (QLoRA's bf16 compute, fp32 adapters).
            var x = input.dtype == LoraA.dtype ? input : input.to(LoraA.dtype);
            var update = lora_B.forward(lora_A.forward(lora_dropout.forward(x))).mul(Scaling);
            result.add_(update.to(result.dtype));
        }
        return result;
    }

    /// <summary>ΔW = (α/r)·B·A, the dense update the adapter represents ([out, in]).</summary>
    public Tensor DeltaWeight()
    {
        using var _ = no_grad();
        return LoraB.matmul(LoraA).mul_(Scaling);
    }

    /// <summary>Folds ΔW into the fp32 base weight (W₀ + BA·α/r) so inference costs one matmul (LoRA §4.1).</summary>
    public void Merge()
    {
        if (Merged) return;
        using var _ = no_grad();
        using var delta = DeltaWeight();
        BaseWeight().add_(delta);
        Merged = true;
    }

    /// <summary>Undoes <see cref="Merge"/> (W₀ = W − BA·α/r, exact up to float rounding).</summary>
    public void Unmerge()
    {
        if (!Merged) return;
        using var _ = no_grad();
        using var delta = DeltaWeight();
        BaseWeight().sub_(delta);
        Merged = false;
    }

    Tensor BaseWeight() => base_layer is Linear linear
        ? linear.weight!
        : throw new NotSupportedException(
            $"cannot merge into a {base_layer.GetType().Name} base: merge the adapter into the full-precision model instead " +
            "(load the fp32 base with the PEFT adapter in LoRA mode, then merge)");
}
