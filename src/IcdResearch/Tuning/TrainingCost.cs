namespace IcdResearch.Tuning;

/// <summary>Cost of one fine-tuning run (Zhang et al. Table 2: training efficiency), stored as cost.json in its folder.</summary>
public sealed record TrainingCost(int Examples, long TokensPerEpoch, double SecondsPerEpoch, int Epochs, double FinalLoss)
{
    public const string FileName = "cost.json";

    /// <summary>Optimizer steps taken (0 when not recorded, e.g. a cost file from an older run).</summary>
    public int OptimizerSteps { get; init; }
    public double SecondsTotal => SecondsPerEpoch * Epochs;
}
