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

    public SftOptions Validate()
    {
        if (Epochs < 1) throw new ArgumentException($"epochs must be >= 1 (got {Epochs})");
        if (BatchSize < 1) throw new ArgumentException($"batch size must be >= 1 (got {BatchSize})");
        if (GradientAccumulation < 1) throw new ArgumentException($"gradient accumulation must be >= 1 (got {GradientAccumulation})");
        if (LearningRate <= 0) throw new ArgumentException($"learning rate must be > 0 (got {LearningRate})");
        if (WarmupRatio is < 0 or > 1) throw new ArgumentException($"warm-up ratio must be in [0, 1] (got {WarmupRatio})");
        if (MaxLength < 2) throw new ArgumentException($"max length must be >= 2 (got {MaxLength})");
        if (MaxGradNorm < 0) throw new ArgumentException($"max grad norm must be >= 0 (got {MaxGradNorm})");
        Lora.Validate();
        return this;
    }
}
