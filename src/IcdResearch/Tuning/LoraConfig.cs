namespace IcdResearch.Tuning;

/// <summary>
/// LoRA hyper-parameters (Hu et al. 2021, "LoRA: Low-Rank Adaptation of Large Language Models", §4.1: h = W₀x + (α/r)·BAx).
/// Defaults: r = 8 and α = 16 (LLaMA-Factory's defaults: lora_rank 8, lora_alpha 2r), dropout 0.05 (system paper Table 1),
/// all attention and MLP projections of a Llama/Qwen block as targets (LLaMA-Factory's lora_target all).
/// </summary>
public sealed record LoraConfig
{
    public static readonly IReadOnlyList<string> AllProjections = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"];

    public int Rank { get; init; } = 8;
    public double Alpha { get; init; } = 16;
    public double Dropout { get; init; } = 0.05;
    /// <summary>Module-name suffixes (PEFT target_modules), e.g. "q_proj" matches "model.layers.3.self_attn.q_proj".</summary>
    public IReadOnlyList<string> TargetModules { get; init; } = AllProjections;

    /// <summary>Rank-stabilised scaling α/√r (Kalajdzievski 2023; PEFT use_rslora) instead of α/r.</summary>
    public bool UseRsLora { get; init; }

    /// <summary>α / r (or α / √r with <see cref="UseRsLora"/>), the factor applied to BAx.</summary>
    public double Scaling => UseRsLora ? Alpha / Math.Sqrt(Rank) : Alpha / Rank;

    /// <summary>Throws <see cref="ArgumentException"/> for values PEFT would also reject.</summary>
    public LoraConfig Validate()
    {
        var v = new IO.OptionCheck();
        v.Int("LoRA rank", Rank, 1);
        v.Real("LoRA alpha", Alpha, 0, 1e6, minExclusive: true);
        v.Real("LoRA dropout", Dropout, 0, 1, maxExclusive: true);
        v.Require(TargetModules.Count > 0, "LoRA needs at least one target module");
        v.ThrowIfAny();
        return this;
    }

    /// <summary>True when <paramref name="moduleName"/> is one of the targets (exact name or dotted suffix, as PEFT matches).</summary>
    public bool Targets(string moduleName) =>
        TargetModules.Any(t => moduleName == t || moduleName.EndsWith("." + t, StringComparison.Ordinal));
}
