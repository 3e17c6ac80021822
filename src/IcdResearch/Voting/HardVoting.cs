namespace IcdResearch.Voting;

/// <summary>
/// Hard voting over sampled answers (system paper §3.2, "Voting ensemble"): every sample is a set of codes; a code is
/// kept when it appears in more than <c>threshold</c> samples. Lv et al. sample each model in 8 rounds and keep a code
/// appearing "more than seven times", then combine the two models' codes without spelling out how. Two readings:
/// <see cref="PerModelThenCombine"/> — as written: per model, &gt; 7 of its 8 rounds (all 8), then the two models' code
/// sets combined (union or intersection, a stated choice); <see cref="Ensemble"/> — ours: the 16 samples of both
/// models pooled, a code kept in &gt; <see cref="PaperEnsembleThreshold"/> = 7 of them.
/// </summary>
public static class HardVoting
{
    /// <summary>Our pooled reading of the paper's rule over 2 × 8 samples: count &gt; 7 of 16.</summary>
    public const int PaperEnsembleThreshold = 7;

    /// <summary>The paper's per-model rule as written: a code in more than 7 of a model's 8 rounds.</summary>
    public const int PaperPerModelThreshold = 7;

    /// <summary>Default per-model rule: a strict majority of the samples (count &gt; samples / 2).</summary>
    public static int MajorityThreshold(int samples) => samples / 2;

    /// <summary>How many samples contain each code (a code repeated inside one sample counts once).</summary>
    public static Dictionary<string, int> Count(IEnumerable<IReadOnlyCollection<string>> samples)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var sample in samples)
            foreach (var code in sample.Distinct(StringComparer.Ordinal))
                counts[code] = counts.GetValueOrDefault(code) + 1;
        return counts;
    }

    /// <summary>Codes appearing in more than <paramref name="threshold"/> samples, most votes first (ties: ordinal).</summary>
    public static List<string> Vote(IEnumerable<IReadOnlyCollection<string>> samples, int threshold)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(threshold);
        return Count(samples).Where(kv => kv.Value > threshold)
            .OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal)
            .Select(kv => kv.Key).ToList();
    }

    /// <summary>
    /// The rule as written (§3.2): each model's own samples voted with <paramref name="threshold"/> (paper: &gt; 7 of 8),
    /// then the models' kept codes combined — <see cref="VoteCombination.Union"/> (a code any model keeps) or
    /// <see cref="VoteCombination.Intersection"/> (a code every model keeps). Order: most pooled votes first, then ordinal.
    /// </summary>
    public static List<string> PerModelThenCombine(IEnumerable<IEnumerable<IReadOnlyCollection<string>>> perModelSamples, int threshold, VoteCombination combination)
    {
        var models = perModelSamples.Select(s => s.ToList()).ToList();
        var kept = models.Select(s => Vote(s, threshold).ToHashSet(StringComparer.Ordinal)).ToList();
        if (kept.Count == 0) return [];
        var combined = combination == VoteCombination.Union
            ? kept.Aggregate(new HashSet<string>(StringComparer.Ordinal), (a, b) => { a.UnionWith(b); return a; })
            : kept.Skip(1).Aggregate(new HashSet<string>(kept[0], StringComparer.Ordinal), (a, b) => { a.IntersectWith(b); return a; });
        var votes = Count(models.SelectMany(s => s));
        return combined.OrderByDescending(c => votes[c]).ThenBy(c => c, StringComparer.Ordinal).ToList();
    }

    /// <summary>Threshold of the paper's per-model rule scaled to <paramref name="samples"/> rounds (7 of 8 → samples·7/8, rounded down).</summary>
    public static int PaperPerModelThresholdFor(int samples) => samples * PaperPerModelThreshold / 8;

    /// <summary>Ensemble of several models' samples (pooled), e.g. direct + NER-enhanced with threshold 7 over 16.</summary>
    public static List<string> Ensemble(IEnumerable<IEnumerable<IReadOnlyCollection<string>>> perModelSamples, int threshold = PaperEnsembleThreshold)
        => Vote(perModelSamples.SelectMany(s => s), threshold);
}

/// <summary>How per-model votes are combined across models (the paper leaves it open).</summary>
public enum VoteCombination { Union, Intersection }
