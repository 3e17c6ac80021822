namespace IcdResearch.Voting;

/// <summary>
/// Hard voting over sampled answers (system paper §3.2, "Voting ensemble"): every sample is a set of codes; a code is
/// kept when it appears in more than <c>threshold</c> samples. One model sampled 8 times is voted on its own; the
/// ensemble pools the samples of the direct and the NER-enhanced model (16 in all) and keeps "a result appearing more
/// than seven times", i.e. <see cref="PaperEnsembleThreshold"/> = 7 with the strict "&gt;" comparison.
/// </summary>
public static class HardVoting
{
    /// <summary>The paper's ensemble rule over 2 × 8 samples: count &gt; 7.</summary>
    public const int PaperEnsembleThreshold = 7;

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

    /// <summary>Ensemble of several models' samples (pooled), e.g. direct + NER-enhanced with threshold 7 over 16.</summary>
    public static List<string> Ensemble(IEnumerable<IEnumerable<IReadOnlyCollection<string>>> perModelSamples, int threshold = PaperEnsembleThreshold)
        => Vote(perModelSamples.SelectMany(s => s), threshold);
}
