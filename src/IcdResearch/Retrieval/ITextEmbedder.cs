namespace IcdResearch.Retrieval;

/// <summary>Maps texts to dense vectors for cosine-similarity retrieval (char n-gram TF-IDF, or an LM's mean-pooled hidden states).</summary>
public interface ITextEmbedder
{
    /// <summary>A short stable name for results tables ("tfidf", "hidden").</summary>
    string Name { get; }

    float[][] Embed(IReadOnlyList<string> texts);
}
