using static TorchSharp.torch;

namespace IcdResearch.Tuning;

/// <summary>How the learning rate falls after warm-up.</summary>
public enum LearningRateDecay
{
    /// <summary>Constant peak rate after warm-up.</summary>
    Constant,
    /// <summary>Straight line from the peak down to the floor at the last step (Hugging Face "linear").</summary>
    Linear,
    /// <summary>Half cosine from the peak down to the floor (Loshchilov &amp; Hutter 2017, SGDR; nanoGPT's get_lr).</summary>
    Cosine,
}

/// <summary>
/// Linear warm-up from 0 to <see cref="PeakLearningRate"/> over <see cref="WarmupSteps"/> optimizer steps, then
/// linear or cosine decay to <c>PeakLearningRate * MinRatio</c> at <see cref="TotalSteps"/> (nanoGPT's get_lr).
/// Steps are optimizer updates (after gradient accumulation), counted from 0.
/// </summary>
public sealed record LearningRateSchedule(
    double PeakLearningRate, int WarmupSteps, int TotalSteps,
    LearningRateDecay Decay = LearningRateDecay.Cosine, double MinRatio = 0.0)
{
    /// <summary>The learning rate of optimizer step <paramref name="step"/> (0-based).</summary>
    public double At(int step)
    {
        if (step < 0) throw new ArgumentOutOfRangeException(nameof(step), step, "step must be >= 0");
        // Warm-up: (step+1)/(warmup+1) so the first update is small but not zero.
        if (step < WarmupSteps) return PeakLearningRate * (step + 1) / (WarmupSteps + 1);
        var floor = PeakLearningRate * MinRatio;
        var decaySteps = Math.Max(1, TotalSteps - WarmupSteps);
        var progress = Math.Clamp((double)(step - WarmupSteps) / decaySteps, 0, 1);
        return Decay switch
        {
            LearningRateDecay.Constant => PeakLearningRate,
            LearningRateDecay.Linear => floor + (PeakLearningRate - floor) * (1 - progress),
            LearningRateDecay.Cosine => floor + (PeakLearningRate - floor) * 0.5 * (1 + Math.Cos(Math.PI * progress)),
            _ => throw new ArgumentOutOfRangeException(nameof(Decay), Decay, null),
        };
    }

    /// <summary>Sets every parameter group of <paramref name="optimizer"/> to the rate of <paramref name="step"/>; returns it.</summary>
    public double Apply(optim.Optimizer optimizer, int step)
    {
        var lr = At(step);
        foreach (var group in optimizer.ParamGroups) group.LearningRate = lr;
        return lr;
    }

    /// <summary>Parses "linear", "cosine" or "constant" (command-line spelling).</summary>
    public static LearningRateDecay ParseDecay(string text) => text.Trim().ToLowerInvariant() switch
    {
        "linear" => LearningRateDecay.Linear,
        "cosine" => LearningRateDecay.Cosine,
        "constant" => LearningRateDecay.Constant,
        _ => throw new ArgumentException($"unknown learning-rate decay '{text}' (expected linear, cosine or constant)"),
    };
}
