namespace IcdResearch.Pipelines.CodeCentric;

/// <summary>
/// Stage 1 of silver mining (Zhang et al. §3.3, Eq. 6): given a document and one of its gold codes, return the minimal
/// verbatim span of the document that supports the code, or null for "no evidence". Callers verify verbatim-ness.
/// </summary>
public interface ISpanExtractor
{
    /// <summary>Short name recorded with the mined pairs (e.g. "alignment", "model").</summary>
    string Name { get; }

    string? Extract(string document, string code, string codeName);
}
