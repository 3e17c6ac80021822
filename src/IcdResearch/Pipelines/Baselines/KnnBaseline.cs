using IcdResearch.Data;
using IcdResearch.Retrieval;

namespace IcdResearch.Pipelines.Baselines;

/// <summary>
/// Nearest-neighbour retrieval: the codes of the most similar training record by cosine similarity of character
/// n-gram TF-IDF vectors. With k &gt; 1: similarity-weighted vote — the top primary code, and every other code whose
/// weight is at least half of the neighbours' total weight.
/// </summary>
public sealed class KnnBaseline(int k = 1, int maxN = 3) : ICodingBaseline
{
    public string Name => k == 1 ? "knn" : $"knn{k}";
    readonly TfidfVectorizer _vectorizer = new(minN: 1, maxN: maxN, minDf: 1);
    CosineIndex? _index;
    IReadOnlyList<CodeAssignment> _labels = [];

    public void Fit(IReadOnlyList<BaselineDocument> train, IReadOnlyList<BaselineDocument>? tune = null)
    {
        _labels = BaselineDocument.RequireLabels(train, "knn baseline training data");
        _index = new CosineIndex(_vectorizer.FitTransform(train.Select(d => d.Text).ToList()));
    }

    public CodeAssignment Predict(BaselineDocument document)
    {
        if (_index is null) throw new InvalidOperationException("knn baseline: Predict before Fit");
        var hits = _index.Search(_vectorizer.Transform(document.Text), k);
        if (k == 1) return _labels[hits[0].Index] with { Id = document.Id };
        var total = hits.Sum(h => Math.Max(h.Score, 1e-9));
        var primary = hits.GroupBy(h => _labels[h.Index].PrimaryCode)
            .OrderByDescending(g => g.Sum(h => h.Score)).ThenBy(g => g.Key, StringComparer.Ordinal).First().Key;
        var others = hits.SelectMany(h => _labels[h.Index].OtherCodes.Select(c => (c, w: Math.Max(h.Score, 1e-9))))
            .GroupBy(x => x.c).Where(g => g.Sum(x => x.w) >= total / 2).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => g.Key).ToList();
        return new CodeAssignment(document.Id, primary, others);
    }
}
