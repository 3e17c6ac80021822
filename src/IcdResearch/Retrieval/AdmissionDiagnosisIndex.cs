namespace IcdResearch.Retrieval;

/// <summary>A training case found by the retrieval database, with its cosine similarity to the query.</summary>
public sealed record RetrievalHit(int Index, string Id, string PrimaryCode, double Similarity);

/// <summary>
/// The retrieval database of Lv et al. §3.1 (its Eq. 1–3 are the token confidence, not retrieval): the admission diagnosis (入院诊断) of every training record,
/// embedded, mapped to its primary code; a query is answered with the training case of highest cosine similarity
/// sim(q, d) = q·d / (‖q‖‖d‖). The embedding is pluggable (<see cref="ITextEmbedder"/>) so char n-gram TF-IDF and the
/// backbone's mean-pooled hidden states can be compared on the same records.
/// </summary>
public sealed class AdmissionDiagnosisIndex
{
    readonly ITextEmbedder _embedder;
    readonly float[][] _vectors;
    readonly IReadOnlyList<string> _ids;
    readonly IReadOnlyList<string> _codes;

    public AdmissionDiagnosisIndex(ITextEmbedder embedder, IReadOnlyList<(string Id, string AdmissionText, string PrimaryCode)> training)
    {
        if (training.Count == 0) throw new ArgumentException("the retrieval database needs at least one training record");
        _embedder = embedder;
        _ids = training.Select(t => t.Id).ToList();
        _codes = training.Select(t => t.PrimaryCode).ToList();
        _vectors = embedder.Embed(training.Select(t => t.AdmissionText).ToList()).Select(Normalized).ToArray();
    }

    public string EmbedderName => _embedder.Name;
    public int Count => _ids.Count;

    /// <summary>Nearest training case of each query; <paramref name="exclude"/> drops one id per query (leave-one-out on training data).</summary>
    public List<RetrievalHit> Nearest(IReadOnlyList<string> admissionTexts, IReadOnlyList<string?>? exclude = null)
    {
        var queries = _embedder.Embed(admissionTexts).Select(Normalized).ToArray();
        var hits = new List<RetrievalHit>(queries.Length);
        for (var q = 0; q < queries.Length; q++)
        {
            var best = -1; var bestSim = double.NegativeInfinity;
            for (var d = 0; d < _vectors.Length; d++)
            {
                if (exclude?[q] is { } skip && _ids[d] == skip) continue;
                var sim = Dot(queries[q], _vectors[d]);
                if (sim > bestSim) { bestSim = sim; best = d; } // ties: the earliest training record
            }
            if (best < 0) throw new InvalidOperationException("no training case left to retrieve after exclusion");
            hits.Add(new RetrievalHit(best, _ids[best], _codes[best], bestSim));
        }
        return hits;
    }

    static double Dot(float[] a, float[] b)
    {
        double s = 0;
        for (var i = 0; i < a.Length; i++) s += a[i] * b[i];
        return s;
    }

    /// <summary>Unit-length copy; a zero vector stays zero (similarity 0 to everything).</summary>
    static float[] Normalized(float[] v)
    {
        var norm = Math.Sqrt(v.Sum(x => (double)x * x));
        return norm == 0 ? (float[])v.Clone() : v.Select(x => (float)(x / norm)).ToArray();
    }
}
