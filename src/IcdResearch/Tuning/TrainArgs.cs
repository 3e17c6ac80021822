namespace IcdResearch.Tuning;

/// <summary>
/// The training arguments shared by pretraining (<see cref="PretrainOptions"/>) and fine-tuning (<see cref="SftOptions"/>),
/// after litgpt's <c>TrainArgs</c>: micro-batch size, AdamW (Loshchilov &amp; Hutter 2019) with peak learning rate,
/// warm-up and decay floor, global-norm clipping, when to checkpoint and when to stop, and the seed. Each side keeps only
/// what is its own (pretraining: steps, context, held-out evaluation; fine-tuning: epochs, mode, LoRA, max length).
/// The defaults are Hugging Face Trainer's / LLaMA-Factory's (the fine-tuning side); pretraining sets nanoGPT's.
/// </summary>
public sealed record TrainArgs
{
    /// <summary>Examples (fine-tuning) or token windows (pretraining) per micro-batch.</summary>
    public int BatchSize { get; init; } = 2;
    public double LearningRate { get; init; } = 1e-4;
    /// <summary>Warm-up steps; null = <see cref="SftOptions.WarmupRatio"/> of all steps (fine-tuning) or none (pretraining).</summary>
    public int? WarmupSteps { get; init; }
    /// <summary>The decay ends at LearningRate × this ratio.</summary>
    public double MinLearningRateRatio { get; init; }
    public double Beta1 { get; init; } = 0.9;
    public double Beta2 { get; init; } = 0.999;
    public double Epsilon { get; init; } = 1e-8;
    /// <summary>Decoupled weight decay (pretraining applies it to 2-D weights only).</summary>
    public double WeightDecay { get; init; }
    /// <summary>Global gradient-norm clip; 0 disables.</summary>
    public double MaxGradNorm { get; init; } = 1.0;
    /// <summary>Also checkpoint every N optimizer steps (0 = fine-tuning checkpoints at the end of each epoch only).</summary>
    public int SaveEverySteps { get; init; }
    /// <summary>Stop (with a checkpoint) after this many optimizer steps in total, as if interrupted; a later run resumes. Null runs to the end.</summary>
    public int? MaxSteps { get; init; }
    public int Seed { get; init; } = 42;

    /// <summary>Adds the checks of every shared setting (finite, in range) to <paramref name="v"/>.</summary>
    public void Check(IO.OptionCheck v)
    {
        v.Int("batch size", BatchSize, 1);
        v.Real("learning rate", LearningRate, 0, 10, minExclusive: true);
        if (WarmupSteps is { } w) v.Int("warm-up steps", w, 0);
        v.Real("min learning-rate ratio", MinLearningRateRatio, 0, 1);
        v.Real("beta1", Beta1, 0, 1, maxExclusive: true);
        v.Real("beta2", Beta2, 0, 1, maxExclusive: true);
        v.Real("epsilon", Epsilon, 0, 1, minExclusive: true);
        v.Real("weight decay", WeightDecay, 0, 10);
        v.Real("max grad norm", MaxGradNorm, 0, 1e6);
        v.Int("save steps", SaveEverySteps, 0);
        if (MaxSteps is { } m) v.Int("max steps", m, 1);
    }
}
