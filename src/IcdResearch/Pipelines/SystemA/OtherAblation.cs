using IcdResearch.Evaluation;
using IcdResearch.Voting;

namespace IcdResearch.Pipelines.SystemA;

/// <summary>One record's sampled other-diagnosis answers: the direct model's and the NER-enhanced model's (as code sets).</summary>
public sealed record OtherSamples(string Id, IReadOnlySet<string> Gold, IReadOnlyList<List<string>> Direct, IReadOnlyList<List<string>> WithNer);

/// <summary>
/// The other-diagnosis rows of system paper Table 2: each model hard-voted over its own samples (strict majority),
/// the ensemble of both with the paper's rule (&gt; 7 of 16), and the ensemble threshold swept (the best on dev is then
/// reported on test as "ensemble_tuned"). Scores are per-record set F1 (Eq. 4's F1 term) and recall (organisers').
/// </summary>
public static class OtherAblation
{
    public static List<string> Direct(OtherSamples s) => HardVoting.Vote(s.Direct, HardVoting.MajorityThreshold(s.Direct.Count));
    public static List<string> WithNer(OtherSamples s) => HardVoting.Vote(s.WithNer, HardVoting.MajorityThreshold(s.WithNer.Count));
    public static List<string> Ensemble(OtherSamples s, int threshold) => HardVoting.Ensemble([s.Direct, s.WithNer], threshold);

    /// <summary>Threshold of the paper's rule scaled to the number of pooled samples (7 of 16 → samples·7/16, rounded down).</summary>
    public static int PaperThreshold(int pooledSamples) => pooledSamples * HardVoting.PaperEnsembleThreshold / 16;

    public static List<double> F1(IReadOnlyList<OtherSamples> records, Func<OtherSamples, List<string>> predict)
        => records.Select(r => Ccl25Metrics.Score(r.Gold, predict(r).ToHashSet(StringComparer.Ordinal)).F1).ToList();

    public static List<double> Recall(IReadOnlyList<OtherSamples> records, Func<OtherSamples, List<string>> predict)
        => records.Select(r => Ccl25Metrics.Score(r.Gold, predict(r).ToHashSet(StringComparer.Ordinal)).Recall).ToList();

    /// <summary>The ensemble threshold with the best mean F1 (ties: the paper's, then the smaller).</summary>
    public static int BestThreshold(IReadOnlyList<OtherSamples> records)
    {
        var pooled = records.Count == 0 ? 16 : records[0].Direct.Count + records[0].WithNer.Count;
        var paper = PaperThreshold(pooled);
        return Enumerable.Range(0, pooled).Select(t => (t, f1: F1(records, r => Ensemble(r, t)).DefaultIfEmpty(0).Average()))
            .OrderByDescending(x => x.f1).ThenBy(x => x.t == paper ? 0 : 1).ThenBy(x => x.t).First().t;
    }

    public static List<ResultRow> Rows(IReadOnlyList<OtherSamples> records, string split, int tunedThreshold, int seed = 42)
    {
        var pooled = records.Count == 0 ? 16 : records[0].Direct.Count + records[0].WithNer.Count;
        var paper = PaperThreshold(pooled);
        var arms = new List<(string Name, Func<OtherSamples, List<string>> Predict, string Note)>
        {
            ("direct", Direct, $"majority of {records.FirstOrDefault()?.Direct.Count} samples"),
            ("with_ner", WithNer, $"majority of {records.FirstOrDefault()?.WithNer.Count} samples"),
            ("ensemble", r => Ensemble(r, paper), $"code in > {paper} of {pooled} pooled samples (paper rule)"),
            ("ensemble_tuned", r => Ensemble(r, tunedThreshold), $"code in > {tunedThreshold} of {pooled} (threshold chosen on dev)"),
        };
        var baseline = F1(records, Direct);
        var rows = new List<ResultRow>();
        foreach (var (name, predict, note) in arms)
        {
            rows.Add(ArmRows.Row("other", name, split, "other_f1", F1(records, predict), name == "direct" ? null : baseline, note, seed));
            rows.Add(ArmRows.Row("other", name, split, "other_recall", Recall(records, predict), null, note, seed));
        }
        for (var t = 0; t < pooled; t++)
            rows.Add(ArmRows.Row("other_vote_sweep", $"ensemble@{t}", split, "other_f1", F1(records, r => Ensemble(r, t)), baseline, $"code in > {t} of {pooled}", seed));
        return rows;
    }
}
