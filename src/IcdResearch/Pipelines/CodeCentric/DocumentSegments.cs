using System.Text.RegularExpressions;

namespace IcdResearch.Pipelines.CodeCentric;

/// <summary>
/// Splits a clinical document into clause-like segments with their offsets: at line breaks, Chinese/ASCII clause
/// sentence punctuation, enumeration commas (、) and list numbering such as "2." or "3、" inside 入院诊断
/// ("…心功能III级2.心律失常…"). Commas are kept inside a segment so "高血压病（3级，很高危）" stays whole.
/// </summary>
public static partial class DocumentSegments
{
    [GeneratedRegex(@"[\n\r。；;：:、！？!?]|(?<!\d)\d{1,2}[\.．、](?!\d)")]
    private static partial Regex Boundary();

    public readonly record struct Segment(int Offset, string Text);

    public static List<Segment> Split(string document)
    {
        var segments = new List<Segment>();
        int start = 0;
        foreach (Match m in Boundary().Matches(document))
        {
            Add(start, m.Index);
            start = m.Index + m.Length;
        }
        Add(start, document.Length);
        return segments;

        void Add(int from, int to)
        {
            if (to - from >= 2) segments.Add(new Segment(from, document[from..to]));
        }
    }
}
