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

    public void Validate()
    {
        if (Steps < 1 || BatchSize < 1 || Context < 2 || EvalEvery < 1 || CheckpointEvery < 1 || EvalBatches < 1)
            throw new ArgumentException("steps, batch size, eval/checkpoint intervals must be positive and context at least 2.");
        if (LearningRate <= 0 || WarmupSteps < 0 || GradClip < 0 || WeightDecay < 0)
            throw new ArgumentException("learning rate must be positive; warmup, clip and weight decay non-negative.");
    }
}
