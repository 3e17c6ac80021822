namespace IcdResearch.Retrieval;

/// <summary>A nearest-neighbour hit: the item's position in the index and its cosine similarity to the query.</summary>
public readonly record struct Neighbor(int Index, double Score);

/// <summary>
/// Exact nearest neighbours by cosine similarity over sparse vectors (brute force: the corpora here have ≤ a few
/// thousand items). Vectors are L2-normalised on insertion, so cosine = dot product. Ties break by lower index.
/// </summary>
public sealed class CosineIndex
{
    readonly List<SparseVector> _vectors;

    public CosineIndex(IEnumerable<SparseVector> vectors) => _vectors = vectors.Select(v => v.Normalized()).ToList();

    public int Count => _vectors.Count;

    /// <summary>Builds an index of documents with a (fitted) vectorizer.</summary>
    public static CosineIndex Build(TfidfVectorizer vectorizer, IEnumerable<string> documents) =>
        new(documents.Select(vectorizer.Transform));

    /// <summary>The k most similar items, best first; <paramref name="include"/> can exclude items (e.g. the query itself).</summary>
    public IReadOnlyList<Neighbor> Search(SparseVector query, int k, Func<int, bool>? include = null)
    {
        var q = query.Normalized();
        return _vectors.Select((v, i) => new Neighbor(i, q.Dot(v)))
            .Where(n => include is null || include(n.Index))
            .OrderByDescending(n => n.Score).ThenBy(n => n.Index)
            .Take(k).ToList();
    }

    /// <summary>Cosine similarity of the query with every item, in index order.</summary>
    public double[] Similarities(SparseVector query)
    {
        var q = query.Normalized();
        return _vectors.Select(v => q.Dot(v)).ToArray();
    }
}
