namespace IcdResearch.Tuning;

/// <summary>
/// The loop counters a resumed run needs besides weights and optimizer moments (saved as state.json in a checkpoint).
/// <see cref="Step"/> counts optimizer updates done; <see cref="Epoch"/> and <see cref="BatchInEpoch"/> locate the next
/// micro-batch, so a run interrupted mid-epoch continues with the same data order (the order is derived from <see cref="Seed"/>).
/// </summary>
public sealed record TrainingState
{
    public int Step { get; init; }
    public int Epoch { get; init; }
    public int BatchInEpoch { get; init; }
    public int Seed { get; init; }
    /// <summary>Best dev metric so far (lower is better, e.g. dev loss); null before the first evaluation.</summary>
    public double? BestMetric { get; init; }
    /// <summary>Free-form extras (e.g. the options a run was started with) for the caller.</summary>
    public Dictionary<string, string> Extra { get; init; } = new();
}
