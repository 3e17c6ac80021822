using System.Text;

namespace IcdResearch.Ner;

/// <summary>
/// The generative NER output format of the system paper (§3.2, Figure 3 bottom): the input text is copied and every
/// disease entity is wrapped in <c>[</c> <c>]</c>. Brackets that occur in the source text itself are replaced by their
/// full-width forms first (<see cref="Escape"/>), so every ASCII bracket in an output is markup.
/// </summary>
public static class BracketFormat
{
    public const char Open = '[';
    public const char Close = ']';

    /// <summary>Replaces ASCII brackets of source text by full-width ［ ］ so they cannot be confused with markup.</summary>
    public static string Escape(string text) => text.Replace('[', '［').Replace(']', '］');

    /// <summary>Wraps the given non-overlapping spans of (escaped) <paramref name="text"/> in brackets.</summary>
    public static string Wrap(string text, IEnumerable<EntitySpan> spans)
    {
        var ordered = spans.OrderBy(s => s.Start).ToList();
        for (var i = 1; i < ordered.Count; i++)
            if (ordered[i].Overlaps(ordered[i - 1]))
                throw new ArgumentException($"Entity spans overlap: [{ordered[i - 1].Start},{ordered[i - 1].End}) and [{ordered[i].Start},{ordered[i].End}).");
        var sb = new StringBuilder(text.Length + 2 * ordered.Count);
        var at = 0;
        foreach (var s in ordered)
        {
            if (s.Start < 0 || s.End > text.Length || s.Length <= 0) throw new ArgumentOutOfRangeException(nameof(spans), $"Span [{s.Start},{s.End}) outside text of length {text.Length}.");
            sb.Append(text, at, s.Start - at).Append(Open).Append(text, s.Start, s.Length).Append(Close);
            at = s.End;
        }
        return sb.Append(text, at, text.Length - at).ToString();
    }

    /// <summary>
    /// Parses a bracketed output into the plain text (markup removed) and its entity spans. Tolerant of model output:
    /// a nested <c>[</c> restarts the entity, an unmatched <c>]</c> or an unclosed <c>[</c> is dropped, empty
    /// entities are ignored.
    /// </summary>
    public static (string Text, List<EntitySpan> Spans) Parse(string bracketed)
    {
        var sb = new StringBuilder(bracketed.Length);
        var spans = new List<EntitySpan>();
        var open = -1;
        foreach (var c in bracketed)
        {
            if (c == Open) open = sb.Length;
            else if (c == Close)
            {
                if (open >= 0 && sb.Length > open) spans.Add(new EntitySpan(open, sb.Length));
                open = -1;
            }
            else sb.Append(c);
        }
        return (sb.ToString(), spans);
    }

    /// <summary>The entity strings of a bracketed output, in order of appearance.</summary>
    public static List<string> Entities(string bracketed)
    {
        var (text, spans) = Parse(bracketed);
        return spans.Select(s => s.Of(text)).ToList();
    }
}
