using IcdResearch.Data;

namespace IcdResearch.Pipelines.Baselines;

/// <summary>
/// Majority baseline: every record gets the most frequent training primary code and the m most frequent other codes,
/// m = the mean number of other codes per training record (rounded). Ties break by code order. Text is ignored.
/// </summary>
public sealed class FrequencyBaseline : ICodingBaseline
{
    public string Name => "frequency";
    string _primary = "";
    IReadOnlyList<string> _others = [];

    public void Fit(IReadOnlyList<BaselineDocument> train, IReadOnlyList<BaselineDocument>? tune = null)
    {
        var labels = BaselineDocument.RequireLabels(train, "frequency baseline training data");
        if (labels.Count == 0) throw new ArgumentException("frequency baseline: no training records");
        _primary = MostFrequent(labels.Select(l => l.PrimaryCode)).First();
        var m = (int)Math.Round(labels.Average(l => l.OtherCodes.Count), MidpointRounding.AwayFromZero);
        _others = MostFrequent(labels.SelectMany(l => l.OtherCodes)).Take(m).ToList();
    }

    public CodeAssignment Predict(BaselineDocument document) => new(document.Id, _primary, _others);

    static IEnumerable<string> MostFrequent(IEnumerable<string> codes) =>
        codes.GroupBy(c => c).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal).Select(g => g.Key);
}
