namespace IcdResearch.Inference.Constraints;

/// <summary>
/// What an answer may look like — System A constrains every output (paper §3: answers are candidate names):
/// <see cref="OneName"/> for the primary diagnosis, <see cref="NameSet"/> for other diagnoses (distinct names in
/// canonical order joined by ';', or "无"), <see cref="BracketCopy"/> for NER (the source text with [ ] inserted).
/// </summary>
public abstract record AnswerGrammar
{
    public sealed record OneName(IReadOnlyList<string> Names) : AnswerGrammar;
    public sealed record NameSet(IReadOnlyList<string> Names) : AnswerGrammar
    {
        /// <summary>Separates the names of a set answer.</summary>
        public const char Separator = ';';
        /// <summary>The answer for an empty set.</summary>
        public const string None = "无";
    }
    public sealed record BracketCopy(string Source) : AnswerGrammar;
    /// <summary>No constraint (free generation up to the token limit).</summary>
    public sealed record Free : AnswerGrammar;
}
