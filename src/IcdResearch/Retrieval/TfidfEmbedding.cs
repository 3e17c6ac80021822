namespace IcdResearch.Retrieval;

/// <summary>
/// Retrieval embedding (a) of §3.1: the project's character n-gram <see cref="TfidfVectorizer"/> (1–3-grams, sublinear
/// tf, as the baselines use) fitted on the training admission diagnoses, as dense vectors for
/// <see cref="AdmissionDiagnosisIndex"/>.
/// </summary>
public sealed class TfidfEmbedding(TfidfVectorizer vectorizer) : ITextEmbedder
{
    public string Name => "tfidf";

    public static TfidfEmbedding Fit(IEnumerable<string> documents) => new(new TfidfVectorizer().Fit(documents));

    public float[][] Embed(IReadOnlyList<string> texts) => texts.Select(t =>
    {
        var dense = new float[vectorizer.VocabularySize];
        var sparse = vectorizer.Transform(t);
        for (var i = 0; i < sparse.Count; i++) dense[sparse.Indices[i]] = sparse.Values[i];
        return dense;
    }).ToArray();
}
