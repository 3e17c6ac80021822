using System.Text;

namespace IcdResearch.Retrieval;

/// <summary>
/// Character n-gram TF-IDF (the usual bag-of-n-grams baseline for Chinese text, where n-grams stand in for words).
/// tf = 1 + ln(count) (sublinear) or the count; idf = ln((1 + N) / (1 + df)) + 1 (smoothed, as scikit-learn);
/// vectors are L2-normalised. Whitespace runs are collapsed to one space and ASCII letters lower-cased first.
/// The vocabulary is deterministic: n-grams with df ≥ minDf, the most frequent <c>maxFeatures</c> kept (ties by ordinal order).
/// </summary>
public sealed class TfidfVectorizer
{
    public int MinN { get; }
    public int MaxN { get; }
    public int MinDf { get; }
    public int? MaxFeatures { get; }
    public bool SublinearTf { get; }

    Dictionary<string, int> _vocabulary = new(StringComparer.Ordinal);
    float[] _idf = [];

    public TfidfVectorizer(int minN = 1, int maxN = 3, int minDf = 1, int? maxFeatures = null, bool sublinearTf = true)
    {
        if (minN < 1 || maxN < minN) throw new ArgumentException($"need 1 ≤ minN ≤ maxN, got {minN}..{maxN}");
        (MinN, MaxN, MinDf, MaxFeatures, SublinearTf) = (minN, maxN, minDf, maxFeatures, sublinearTf);
    }

    public int VocabularySize => _vocabulary.Count;
    public bool IsFitted => _idf.Length > 0 || _vocabulary.Count > 0;

    /// <summary>The feature index of an n-gram, or -1.</summary>
    public int IndexOf(string ngram) => _vocabulary.TryGetValue(ngram, out var i) ? i : -1;

    public float Idf(int index) => _idf[index];

    /// <summary>Learns the vocabulary and idf from documents.</summary>
    public TfidfVectorizer Fit(IEnumerable<string> documents)
    {
        var df = new Dictionary<string, int>(StringComparer.Ordinal);
        var n = 0;
        foreach (var doc in documents)
        {
            n++;
            foreach (var gram in CharNGrams(doc, MinN, MaxN).Distinct(StringComparer.Ordinal))
                df[gram] = df.GetValueOrDefault(gram) + 1;
        }
        var kept = df.Where(kv => kv.Value >= MinDf)
            .OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal)
            .Take(MaxFeatures ?? int.MaxValue)
            .Select(kv => kv.Key).Order(StringComparer.Ordinal).ToList();
        _vocabulary = kept.Select((g, i) => (g, i)).ToDictionary(x => x.g, x => x.i, StringComparer.Ordinal);
        _idf = kept.Select(g => (float)(Math.Log((1.0 + n) / (1.0 + df[g])) + 1.0)).ToArray();
        return this;
    }

    /// <summary>The L2-normalised TF-IDF vector of a document (n-grams outside the vocabulary are ignored).</summary>
    public SparseVector Transform(string document)
    {
        if (!IsFitted) throw new InvalidOperationException("TfidfVectorizer.Transform before Fit");
        var counts = new Dictionary<int, int>();
        foreach (var gram in CharNGrams(document, MinN, MaxN))
            if (_vocabulary.TryGetValue(gram, out var index)) counts[index] = counts.GetValueOrDefault(index) + 1;
        var indices = counts.Keys.Order().ToArray();
        var values = indices.Select(i => (float)((SublinearTf ? 1 + Math.Log(counts[i]) : counts[i]) * _idf[i])).ToArray();
        return new SparseVector(indices, values).Normalized();
    }

    public List<SparseVector> FitTransform(IReadOnlyList<string> documents)
    {
        Fit(documents);
        return documents.Select(Transform).ToList();
    }

    /// <summary>All character n-grams of the normalised text for n in [minN, maxN] (by text element, so surrogate pairs stay whole).</summary>
    public static IEnumerable<string> CharNGrams(string text, int minN, int maxN)
    {
        var chars = Normalize(text);
        for (var n = minN; n <= maxN; n++)
            for (var i = 0; i + n <= chars.Length; i++)
                yield return n == 1 ? chars[i] : string.Join("", chars, i, n);
    }

    static string[] Normalize(string text)
    {
        var sb = new StringBuilder(text.Length);
        var space = false;
        foreach (var c in text)
        {
            if (char.IsWhiteSpace(c)) { if (!space && sb.Length > 0) sb.Append(' '); space = true; continue; }
            space = false;
            sb.Append(c is >= 'A' and <= 'Z' ? (char)(c + 32) : c);
        }
        var s = sb.ToString().TrimEnd();
        var elements = new List<string>(s.Length);
        var e = System.Globalization.StringInfo.GetTextElementEnumerator(s);
        while (e.MoveNext()) elements.Add((string)e.Current);
        return elements.ToArray();
    }
}
