namespace IcdResearch.Tuning;

/// <summary>Hyper-parameters of <see cref="Pretrainer"/> (nanoGPT-style defaults: AdamW β=(0.9, 0.95), wd 0.1 on matrices, clip 1.0).</summary>
public sealed record PretrainOptions
{
    /// <summary>Optimizer steps in the whole run (the cosine schedule ends here).</summary>
    public int Steps { get; init; } = 1000;
    public int BatchSize { get; init; } = 8;
    /// <summary>Tokens per training window (T).</summary>
    public int Context { get; init; } = 256;
    public double LearningRate { get; init; } = 1e-3;
    public int WarmupSteps { get; init; } = 50;
    /// <summary>The cosine decays to LearningRate × this ratio.</summary>
    public double MinLearningRateRatio { get; init; } = 0.1;
    public double Beta1 { get; init; } = 0.9;
    public double Beta2 { get; init; } = 0.95;
    /// <summary>Decoupled weight decay, applied to 2-D weights only (not to norms and biases).</summary>
    public double WeightDecay { get; init; } = 0.1;
    /// <summary>Global gradient-norm clip (0 disables).</summary>
    public double GradClip { get; init; } = 1.0;
    /// <summary>Held-out loss every this many steps (and at the end).</summary>
    public int EvalEvery { get; init; } = 100;
    /// <summary>At most this many batches of held-out windows per evaluation.</summary>
    public int EvalBatches { get; init; } = 16;
    public int CheckpointEvery { get; init; } = 100;
    public int Seed { get; init; } = 42;
    /// <summary>Stop after this step (with a checkpoint) as if interrupted; a later call resumes. Null runs to the end.</summary>
    public int? StopAfter { get; init; }

    /// <summary>Checks every setting (finite, in range); the message names the setting, its value and the allowed range.</summary>
    public PretrainOptions Validate()
    {
        var v = new IO.OptionCheck();
        v.Int("steps", Steps, 1);
        v.Int("batch size", BatchSize, 1);
        v.Int("context", Context, 2);
        v.Int("eval interval", EvalEvery, 1);
        v.Int("eval batches", EvalBatches, 1);
        v.Int("checkpoint interval", CheckpointEvery, 1);
        v.Int("warm-up steps", WarmupSteps, 0);
        v.Real("learning rate", LearningRate, 0, 10, minExclusive: true);
        v.Real("min learning-rate ratio", MinLearningRateRatio, 0, 1);
        v.Real("beta1", Beta1, 0, 1, maxExclusive: true);
        v.Real("beta2", Beta2, 0, 1, maxExclusive: true);
        v.Real("weight decay", WeightDecay, 0, 10);
        v.Real("gradient clip", GradClip, 0, 1e6);
        if (StopAfter is { } stop) v.Int("stop after", stop, 1);
        v.ThrowIfAny();
        return this;
    }
}
