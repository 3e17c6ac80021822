namespace IcdResearch.Tuning;

/// <summary>Cost of one fine-tuning run (Zhang et al. Table 2: training efficiency), stored as cost.json in its folder.</summary>
public sealed record TrainingCost(int Examples, long TokensPerEpoch, double SecondsPerEpoch, int Epochs, double FinalLoss)
{
    public const string FileName = "cost.json";
}
