namespace IcdResearch.Tuning;

/// <summary>
/// Settings of <see cref="Pretrainer"/>: the shared <see cref="TrainArgs"/> with nanoGPT's defaults (AdamW β = (0.9, 0.95),
/// weight decay 0.1 on matrices, clip 1.0, cosine to 10% after 50 warm-up steps, a checkpoint every 100 steps), plus
/// what only pretraining has: the number of steps, the window length and the held-out evaluation.
/// </summary>
public sealed record PretrainOptions
{
    /// <summary>nanoGPT's training arguments, the base of every pretraining preset.</summary>
    public static TrainArgs NanoGpt { get; } = new()
    {
        BatchSize = 8, LearningRate = 1e-3, WarmupSteps = 50, MinLearningRateRatio = 0.1, Beta2 = 0.95, WeightDecay = 0.1, SaveEverySteps = 100,
    };

    public TrainArgs Train { get; init; } = NanoGpt;
    /// <summary>Optimizer steps in the whole run (the cosine schedule ends here).</summary>
    public int Steps { get; init; } = 1000;
    /// <summary>Tokens per training window (T).</summary>
    public int Context { get; init; } = 256;
    /// <summary>Held-out loss every this many steps (and at the end).</summary>
    public int EvalEvery { get; init; } = 100;
    /// <summary>At most this many batches of held-out windows per evaluation.</summary>
    public int EvalBatches { get; init; } = 16;

    /// <summary>Checks every setting (finite, in range); the message names the setting, its value and the allowed range.</summary>
    public PretrainOptions Validate()
    {
        var v = new IO.OptionCheck();
        v.Int("steps", Steps, 1);
        v.Int("context", Context, 2);
        v.Int("eval interval", EvalEvery, 1);
        v.Int("eval batches", EvalBatches, 1);
        Train.Check(v);
        v.Int("checkpoint interval", Train.SaveEverySteps, 1);
        v.ThrowIfAny();
        return this;
    }
}
