namespace IcdResearch.Ner;

/// <summary>A 疾病和诊断 entity as a character span [Start, End) of a text (system paper §3.2, LLM-NER).</summary>
public readonly record struct EntitySpan(int Start, int End)
{
    public int Length => End - Start;
    public string Of(string text) => text[Start..End];
    public bool Overlaps(EntitySpan other) => Start < other.End && other.Start < End;
}
