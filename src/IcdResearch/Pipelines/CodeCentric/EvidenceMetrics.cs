namespace IcdResearch.Pipelines.CodeCentric;

/// <summary>
/// Evidence quality (CCL paper §4.4, Table 4): generated evidence spans against the reference spans of the same
/// record. A generated span matches a reference span when their normalised forms are equal (exact) or, for the
/// relaxed variant, when one contains the other. Precision, recall and F1 are pooled over records (micro).
/// </summary>
public static class EvidenceMetrics
{
    public sealed record Score(double Precision, double Recall, double F1, int Generated, int Reference);

    public static Score Compute(IReadOnlyList<IReadOnlyList<string>> reference, IReadOnlyList<IReadOnlyList<string>> generated, bool relaxed = false)
    {
        if (reference.Count != generated.Count) throw new ArgumentException("reference and generated evidence cover different numbers of records");
        int matchedGen = 0, matchedRef = 0, nGen = 0, nRef = 0;
        for (int i = 0; i < reference.Count; i++)
        {
            var r = reference[i].Select(SilverPairMiner.Normalize).Where(s => s.Length > 0).Distinct().ToList();
            var g = generated[i].Select(SilverPairMiner.Normalize).Where(s => s.Length > 0).Distinct().ToList();
            nGen += g.Count; nRef += r.Count;
            matchedGen += g.Count(x => r.Any(y => Match(x, y)));
            matchedRef += r.Count(y => g.Any(x => Match(x, y)));
        }
        double p = nGen == 0 ? 0 : (double)matchedGen / nGen, rec = nRef == 0 ? 0 : (double)matchedRef / nRef;
        return new Score(p, rec, p + rec == 0 ? 0 : 2 * p * rec / (p + rec), nGen, nRef);

        bool Match(string x, string y) => x == y || (relaxed && (x.Contains(y, StringComparison.Ordinal) || y.Contains(x, StringComparison.Ordinal)));
    }
}
