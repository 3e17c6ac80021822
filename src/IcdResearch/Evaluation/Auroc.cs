namespace IcdResearch.Evaluation;

/// <summary>
/// Area under the ROC curve of a score for a binary outcome: the probability that a random positive case scores higher
/// than a random negative one, ties counting ½ (the Mann–Whitney U statistic / (n₊·n₋)); 0.5 is chance. NaN when
/// either class is empty. The CI is a seeded percentile bootstrap over cases.
/// </summary>
public static class Auroc
{
    public static double Compute(IReadOnlyList<double> scores, IReadOnlyList<bool> positive)
    {
        if (scores.Count != positive.Count) throw new ArgumentException($"{scores.Count} scores for {positive.Count} outcomes");
        // Mid-ranks of the scores (ties share their average rank), then U = sum of positive ranks − n₊(n₊+1)/2.
        var order = Enumerable.Range(0, scores.Count).OrderBy(i => scores[i]).ToArray();
        var ranks = new double[scores.Count];
        for (var start = 0; start < order.Length;)
        {
            var end = start;
            while (end + 1 < order.Length && scores[order[end + 1]] == scores[order[start]]) end++;
            for (var k = start; k <= end; k++) ranks[order[k]] = (start + end) / 2.0 + 1;
            start = end + 1;
        }
        double nPos = positive.Count(p => p), nNeg = positive.Count - nPos;
        if (nPos == 0 || nNeg == 0) return double.NaN;
        var rankSum = Enumerable.Range(0, ranks.Length).Where(i => positive[i]).Sum(i => ranks[i]);
        return (rankSum - nPos * (nPos + 1) / 2) / (nPos * nNeg);
    }

    /// <summary>Percentile bootstrap 95% CI over cases (resamples with a single class are skipped).</summary>
    public static (double Low, double High) Ci(IReadOnlyList<double> scores, IReadOnlyList<bool> positive, int seed = 42, int resamples = 2000)
    {
        var random = new Random(seed);
        var values = new List<double>(resamples);
        var n = scores.Count;
        if (n == 0) return (double.NaN, double.NaN);
        for (var b = 0; b < resamples; b++)
        {
            var idx = Enumerable.Range(0, n).Select(_ => random.Next(n)).ToArray();
            var a = Compute(idx.Select(i => scores[i]).ToList(), idx.Select(i => positive[i]).ToList());
            if (!double.IsNaN(a)) values.Add(a);
        }
        if (values.Count == 0) return (double.NaN, double.NaN);
        values.Sort();
        return (Bootstrap.Quantile(values, 0.025), Bootstrap.Quantile(values, 0.975));
    }
}
