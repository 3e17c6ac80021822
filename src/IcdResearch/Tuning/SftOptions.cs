namespace IcdResearch.Tuning;

/// <summary>
/// Every setting of <see cref="SftTrainer"/>. Defaults follow the system paper's Table 1 (10 epochs, LoRA dropout 0.05,
/// AdamW, batch size 2, max length 5120, learning rate 1e-4); settings the table leaves open use LLaMA-Factory's /
/// Hugging Face Trainer's defaults (cosine decay, 10% warm-up as in LLaMA-Factory's examples, weight decay 0,
/// gradient clipping at norm 1.0, LoRA r = 8, α = 16, all projections). The CLI exposes each one (`icd finetune --help`).
/// </summary>
public sealed record SftOptions
{
    /// <summary>The settings shared with pretraining (batch, AdamW, schedule, clipping, checkpoints, seed).</summary>
    public TrainArgs Train { get; init; } = new();
    public FineTuneMode Mode { get; init; } = FineTuneMode.QLora;
    public int Epochs { get; init; } = 10;
    /// <summary>Micro-batches per optimizer step (effective batch = Train.BatchSize × GradientAccumulation).</summary>
    public int GradientAccumulation { get; init; } = 1;
    public LearningRateDecay Decay { get; init; } = LearningRateDecay.Cosine;
    /// <summary>Fraction of all optimizer steps spent warming up (ignored when <see cref="TrainArgs.WarmupSteps"/> is set).</summary>
    public double WarmupRatio { get; init; } = 0.1;
    /// <summary>Tokens per example (prompt + answer); longer prompts are cut in the middle (<see cref="SftEncoder"/>).</summary>
    public int MaxLength { get; init; } = 5120;
    public LoraConfig Lora { get; init; } = new();
    /// <summary>Evaluate on the dev set after every epoch (and before training) and keep the best.</summary>
    public bool EvaluateEachEpoch { get; init; } = true;
    /// <summary>How many step checkpoints to keep for resuming.</summary>
    public int KeepCheckpoints { get; init; } = 2;

    /// <summary>Checks every setting (finite, in range); the message names the setting, its value and the allowed range.</summary>
    public SftOptions Validate()
    {
        var v = new IO.OptionCheck();
        v.Int("epochs", Epochs, 1);
        v.Int("gradient accumulation", GradientAccumulation, 1);
        v.Real("warm-up ratio", WarmupRatio, 0, 1);
        v.Int("max length", MaxLength, 2);
        v.Int("checkpoints kept", KeepCheckpoints, 1);
        Train.Check(v);
        v.ThrowIfAny();
        Lora.Validate();
        return this;
    }
}
