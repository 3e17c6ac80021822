namespace IcdResearch.Retrieval;

/// <summary>
/// Retrieval embedding (a) of §3.1: character n-gram TF-IDF fitted on the training admission diagnoses.
/// INTERIM: a minimal char 1–2-gram TF-IDF until the data engineer's Retrieval/TfidfVectorizer lands; then this
/// becomes a thin adapter over it.
/// </summary>
public sealed class TfidfEmbedding : ITextEmbedder
{
    readonly Dictionary<string, int> _vocab;
    readonly double[] _idf;

    TfidfEmbedding(Dictionary<string, int> vocab, double[] idf) { _vocab = vocab; _idf = idf; }

    public string Name => "tfidf";

    public static TfidfEmbedding Fit(IEnumerable<string> documents)
    {
        var docs = documents.ToList();
        var df = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var d in docs) foreach (var g in Grams(d).Distinct()) df[g] = df.GetValueOrDefault(g) + 1;
        var vocab = df.Keys.Order(StringComparer.Ordinal).Select((g, i) => (g, i)).ToDictionary(t => t.g, t => t.i, StringComparer.Ordinal);
        var idf = new double[vocab.Count];
        foreach (var (g, i) in vocab) idf[i] = Math.Log((1.0 + docs.Count) / (1.0 + df[g])) + 1; // smooth idf
        return new TfidfEmbedding(vocab, idf);
    }

    public float[][] Embed(IReadOnlyList<string> texts) => texts.Select(t =>
    {
        var v = new float[_idf.Length];
        foreach (var g in Grams(t)) if (_vocab.TryGetValue(g, out var i)) v[i] += (float)_idf[i];
        return v;
    }).ToArray();

    static IEnumerable<string> Grams(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            yield return text.Substring(i, 1);
            if (i + 1 < text.Length) yield return text.Substring(i, 2);
        }
    }
}
