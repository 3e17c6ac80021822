namespace IcdResearch.Pipelines.SystemA;

/// <summary>The primary-diagnosis ablation arms of system paper §4 / Figure 4, all run on the same records.</summary>
public enum PrimaryArm
{
    /// <summary>The SFT model's answer as is.</summary>
    Baseline,
    /// <summary>Uncertain answers (confidence below threshold) go to the re-judge model without a retrieved example.</summary>
    ConfidenceOnly,
    /// <summary>Every answer is compared with the nearest training case; on disagreement the re-judge model decides with that case as example.</summary>
    RetrievalOnly,
    /// <summary>The paper's method (§3.1, Figure 1): only uncertain answers that disagree with the nearest case are re-judged (with it as example).</summary>
    ConfidenceRetrieval,
}

public static class PrimaryArms
{
    public static IReadOnlyList<PrimaryArm> All { get; } = Enum.GetValues<PrimaryArm>();

    /// <summary>Stable snake-case names used in results/*.csv and prediction file names.</summary>
    public static string Name(this PrimaryArm arm) => arm switch
    {
        PrimaryArm.Baseline => "baseline",
        PrimaryArm.ConfidenceOnly => "confidence_only",
        PrimaryArm.RetrievalOnly => "retrieval_only",
        PrimaryArm.ConfidenceRetrieval => "confidence_retrieval",
        _ => throw new ArgumentOutOfRangeException(nameof(arm)),
    };
}
