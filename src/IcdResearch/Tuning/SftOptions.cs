namespace IcdResearch.Tuning;

/// <summary>
/// Every setting of <see cref="SftTrainer"/>. Defaults follow the system paper's Table 1 (10 epochs, LoRA dropout 0.05,
/// AdamW, batch size 2, max length 5120, learning rate 1e-4); settings the table leaves open use LLaMA-Factory's /
/// Hugging Face Trainer's defaults (cosine decay, 10% warm-up as in LLaMA-Factory's examples, weight decay 0,
/// gradient clipping at norm 1.0, LoRA r = 8, α = 16, all projections). The CLI exposes each one (`icd finetune --help`).
/// </summary>
public sealed record SftOptions
{
    public FineTuneMode Mode { get; init; } = FineTuneMode.QLora;
    public int Epochs { get; init; } = 10;
    /// <summary>Examples per micro-batch.</summary>
    public int BatchSize { get; init; } = 2;
    /// <summary>Micro-batches per optimizer step (effective batch = BatchSize × GradientAccumulation).</summary>
    public int GradientAccumulation { get; init; } = 1;
    public double LearningRate { get; init; } = 1e-4;
    public LearningRateDecay Decay { get; init; } = LearningRateDecay.Cosine;
    /// <summary>Fraction of all optimizer steps spent warming up (ignored when <see cref="WarmupSteps"/> is set).</summary>
    public double WarmupRatio { get; init; } = 0.1;
    public int? WarmupSteps { get; init; }
    /// <summary>Final learning rate as a fraction of the peak.</summary>
    public double MinLearningRateRatio { get; init; } = 0.0;
    public double WeightDecay { get; init; } = 0.0;
    public double Beta1 { get; init; } = 0.9;
    public double Beta2 { get; init; } = 0.999;
    public double Epsilon { get; init; } = 1e-8;
    /// <summary>Global gradient-norm clip; 0 disables.</summary>
    public double MaxGradNorm { get; init; } = 1.0;
    /// <summary>Tokens per example (prompt + answer); longer prompts are cut in the middle (<see cref="SftEncoder"/>).</summary>
    public int MaxLength { get; init; } = 5120;
    public int Seed { get; init; } = 42;
    public LoraConfig Lora { get; init; } = new();
    /// <summary>Evaluate on the dev set after every epoch (and before training) and keep the best.</summary>
    public bool EvaluateEachEpoch { get; init; } = true;
    /// <summary>Also checkpoint every N optimizer steps (0 = only at the end of each epoch).</summary>
    public int SaveEverySteps { get; init; }
    /// <summary>How many step checkpoints to keep for resuming.</summary>
    public int KeepCheckpoints { get; init; } = 2;
    /// <summary>Stop (with a checkpoint) after this many optimizer steps in total — smoke runs and interruption tests.</summary>
    public int? MaxSteps { get; init; }

    /// <summary>Checks every setting (finite, in range); the message names the setting, its value and the allowed range.</summary>
    public SftOptions Validate()
    {
        var v = new IO.OptionCheck();
        v.Int("epochs", Epochs, 1);
        v.Int("batch size", BatchSize, 1);
        v.Int("gradient accumulation", GradientAccumulation, 1);
        v.Real("learning rate", LearningRate, 0, 10, minExclusive: true);
        v.Real("warm-up ratio", WarmupRatio, 0, 1);
        if (WarmupSteps is { } w) v.Int("warm-up steps", w, 0);
        v.Real("min learning-rate ratio", MinLearningRateRatio, 0, 1);
        v.Real("weight decay", WeightDecay, 0, 10);
        v.Real("beta1", Beta1, 0, 1, maxExclusive: true);
        v.Real("beta2", Beta2, 0, 1, maxExclusive: true);
        v.Real("epsilon", Epsilon, 0, 1, minExclusive: true);
        v.Real("max grad norm", MaxGradNorm, 0, 1e6);
        v.Int("max length", MaxLength, 2);
        v.Int("save steps", SaveEverySteps, 0);
        v.Int("checkpoints kept", KeepCheckpoints, 1);
        if (MaxSteps is { } m) v.Int("max steps", m, 1);
        v.ThrowIfAny();
        Lora.Validate();
        return this;
    }
}
