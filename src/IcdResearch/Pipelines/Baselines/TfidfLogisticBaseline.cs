using IcdResearch.Data;
using IcdResearch.Evaluation;
using IcdResearch.Progress;
using IcdResearch.Retrieval;

namespace IcdResearch.Pipelines.Baselines;

/// <summary>
/// Character n-gram TF-IDF + one-vs-rest logistic regression. Primary: 5-way, the class with the highest probability.
/// Other codes: multi-label — every code with probability ≥ threshold (the top code if none passes). The threshold
/// maximises the mean per-record other-code F1 on the tuning documents (the dev part), or, without them, by k-fold
/// cross-validation on the training documents. Never tuned on test.
/// </summary>
public sealed class TfidfLogisticBaseline(int seed = 42, int maxN = 2, int maxFeatures = 50_000, double l2 = 1e-4, int iterations = 200) : ICodingBaseline
{
    public string Name => "tfidf-lr";
    public static readonly double[] ThresholdGrid = Enumerable.Range(1, 19).Select(i => i * 0.05).ToArray();

    TfidfVectorizer _vectorizer = null!;
    OneVsRestLogisticRegression _primaryModel = null!, _otherModel = null!;
    string[] _primaryCodes = [], _otherCodes = [];

    /// <summary>The tuned other-code threshold.</summary>
    public double Threshold { get; private set; } = 0.5;

    public void Fit(IReadOnlyList<BaselineDocument> train, IReadOnlyList<BaselineDocument>? tune = null)
    {
        BaselineDocument.RequireLabels(train, "tfidf-lr training data");
        if (tune is { Count: > 0 })
        {
            WorkProgress.Run($"{Name} fit", train.Count, "records", progress =>
            {
                FitModels(train);
                progress.Advance(train.Count);
            });
            Threshold = BestThreshold(tune.Select(d => (Probabilities(d), d.Labels!)).ToList());
            return;
        }
        // No tuning set: cross-validate the threshold on the training documents, then refit on all of them.
        var folds = Math.Min(3, train.Count);
        var order = train.Select((d, i) => (d, key: new Random(seed + i).Next())).OrderBy(x => x.key).Select(x => x.d).ToList();
        var scored = new List<(Dictionary<string, double> Probabilities, CodeAssignment Gold)>();
        var cv = folds >= 2 ? folds : 0;
        // Progress counts training records fitted: (folds - 1)/folds of them per fold, then all of them once more.
        WorkProgress.Run($"{Name} fit ({cv}-fold threshold tuning, then the full fit)", train.Count * (cv == 0 ? 1 : cv), "records", progress =>
        {
            for (var f = 0; f < cv; f++)
            {
                var fitPart = order.Where((_, i) => i % folds != f).ToList();
                var held = order.Where((_, i) => i % folds == f).ToList();
                FitModels(fitPart);
                scored.AddRange(held.Select(d => (Probabilities(d), d.Labels!)));
                progress.Advance(fitPart.Count);
            }
            FitModels(train);
            progress.Advance(train.Count);
        });
        Threshold = scored.Count > 0 ? BestThreshold(scored) : 0.5;
    }

    public CodeAssignment Predict(BaselineDocument document)
    {
        var x = _vectorizer.Transform(document.Text);
        var primary = _primaryModel.Probabilities(x);
        var best = Enumerable.Range(0, primary.Length).MaxBy(i => primary[i]);
        return new CodeAssignment(document.Id, _primaryCodes[best], Decide(_otherModel.Probabilities(x), Threshold));
    }

    void FitModels(IReadOnlyList<BaselineDocument> train)
    {
        _vectorizer = new TfidfVectorizer(minN: 1, maxN: maxN, minDf: 1, maxFeatures: maxFeatures);
        var x = _vectorizer.FitTransform(train.Select(d => d.Text).ToList());
        _primaryCodes = train.Select(d => d.Labels!.PrimaryCode).Distinct().Order(StringComparer.Ordinal).ToArray();
        _otherCodes = train.SelectMany(d => d.Labels!.OtherCodes).Distinct().Order(StringComparer.Ordinal).ToArray();
        _primaryModel = new OneVsRestLogisticRegression(l2, iterations)
            .Fit(x, train.Select(d => _primaryCodes.Select(c => c == d.Labels!.PrimaryCode).ToArray()).ToList(), _vectorizer.VocabularySize);
        _otherModel = new OneVsRestLogisticRegression(l2, iterations)
            .Fit(x, train.Select(d => _otherCodes.Select(c => d.Labels!.OtherCodes.Contains(c)).ToArray()).ToList(), _vectorizer.VocabularySize);
    }

    /// <summary>The other-code probabilities keyed by code (for threshold tuning on held-out documents).</summary>
    Dictionary<string, double> Probabilities(BaselineDocument d)
    {
        var p = _otherModel.Probabilities(_vectorizer.Transform(d.Text));
        return _otherCodes.Select((c, i) => (c, p: p[i])).ToDictionary(x => x.c, x => x.p);
    }

    IReadOnlyList<string> Decide(double[] probabilities, double threshold)
    {
        var chosen = Enumerable.Range(0, probabilities.Length).Where(i => probabilities[i] >= threshold).Select(i => _otherCodes[i]).ToList();
        if (chosen.Count == 0 && probabilities.Length > 0) chosen.Add(_otherCodes[Enumerable.Range(0, probabilities.Length).MaxBy(i => probabilities[i])]);
        return chosen;
    }

    static double BestThreshold(IReadOnlyList<(Dictionary<string, double> Probabilities, CodeAssignment Gold)> scored) =>
        ThresholdGrid.Select(t => (t, f1: scored.Average(s => Ccl25Metrics.Score(s.Gold.OtherSet, Choose(s.Probabilities, t)).F1)))
            .OrderByDescending(x => x.f1).ThenBy(x => Math.Abs(x.t - 0.5)).First().t;

    static HashSet<string> Choose(Dictionary<string, double> p, double t)
    {
        var chosen = p.Where(kv => kv.Value >= t).Select(kv => kv.Key).ToHashSet();
        if (chosen.Count == 0 && p.Count > 0) chosen.Add(p.MaxBy(kv => kv.Value).Key);
        return chosen;
    }
}
