namespace IcdResearch.Pipelines.SystemA;

/// <summary>First pass of the primary SFT model for one record: the answer's code and its confidence (Lv et al. Eq. 2–3).</summary>
public sealed record PrimaryFirstPass(string Code, double Confidence)
{
    /// <summary>Each generated token's probability (Lv et al. Eq. 2), for gates and calibration scores beyond the mean.</summary>
    public IReadOnlyList<double> TokenProbabilities { get; init; } = [];
    /// <summary>Per token: the highest probability of any other token at that step (for the margin score).</summary>
    public IReadOnlyList<double> RunnerUpProbabilities { get; init; } = [];
}

/// <summary>How a record was decided: kept the first-pass answer, or re-judged (with or without a retrieved example).</summary>
public enum PrimaryRoute { Kept, RejudgedWithoutExample, RejudgedWithExample }

public sealed record PrimaryDecision(string Code, PrimaryRoute Route)
{
    public bool Rejudged => Route != PrimaryRoute.Kept;
}

/// <summary>
/// The routing of system paper §3.1 (Figure 1): which records go to the re-judge model under each ablation arm.
/// Re-judging is passed in as functions so the caller decides whether to run the model lazily, cache it, or fake it.
/// </summary>
public static class PrimaryRouter
{
    /// <summary>Where <see cref="Decide"/> sends a record, without running the re-judge model (to batch re-judging).</summary>
    /// <param name="arm">The ablation arm (which signals trigger a re-judge).</param>
    /// <param name="first">The primary model's first answer and its confidence.</param>
    /// <param name="neighbourCode">Primary code of the most similar training case (retrieval database, Lv et al. §3.1).</param>
    /// <param name="threshold">Confidence below which the first answer counts as uncertain.</param>
    public static PrimaryRoute Route(PrimaryArm arm, PrimaryFirstPass first, string neighbourCode, ConfidenceThreshold threshold)
    {
        var uncertain = threshold.IsUncertain(first);
        var disagrees = !string.Equals(first.Code, neighbourCode, StringComparison.Ordinal);
        return arm switch
        {
            PrimaryArm.Baseline => PrimaryRoute.Kept,
            PrimaryArm.ConfidenceOnly => uncertain ? PrimaryRoute.RejudgedWithoutExample : PrimaryRoute.Kept,
            PrimaryArm.RetrievalOnly => disagrees ? PrimaryRoute.RejudgedWithExample : PrimaryRoute.Kept,
            PrimaryArm.ConfidenceRetrieval => uncertain && disagrees ? PrimaryRoute.RejudgedWithExample : PrimaryRoute.Kept,
            _ => throw new ArgumentOutOfRangeException(nameof(arm)),
        };
    }

    /// <summary>The routed primary code: the first answer, or the re-judge model's answer when <see cref="Route"/> says so.</summary>
    /// <param name="arm">The ablation arm (which signals trigger a re-judge).</param>
    /// <param name="first">The primary model's first answer and its confidence.</param>
    /// <param name="neighbourCode">Primary code of the most similar training case (retrieval database, Lv et al. §3.1).</param>
    /// <param name="threshold">Confidence below which the first answer counts as uncertain.</param>
    /// <param name="rejudgeWithExample">Re-judge model given the case plus the retrieved training case and its answer.</param>
    /// <param name="rejudgeWithoutExample">Re-judge model given the case alone.</param>
    public static PrimaryDecision Decide(PrimaryArm arm, PrimaryFirstPass first, string neighbourCode, ConfidenceThreshold threshold,
        Func<string> rejudgeWithExample, Func<string> rejudgeWithoutExample)
    {
        var route = Route(arm, first, neighbourCode, threshold);
        return route switch
        {
            PrimaryRoute.RejudgedWithExample => new(rejudgeWithExample(), route),
            PrimaryRoute.RejudgedWithoutExample => new(rejudgeWithoutExample(), route),
            _ => new(first.Code, route),
        };
    }
}
