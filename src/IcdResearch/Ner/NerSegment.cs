namespace IcdResearch.Ner;

/// <summary>
/// A piece of text short enough for one generative NER call, with its entity spans (relative to the piece).
/// Long texts are split after sentence ends (。；;！？ and newlines) into pieces of at most maxChars; a piece is only
/// cut inside a sentence when the sentence alone is longer, and never inside an entity (the piece is then extended).
/// </summary>
public sealed record NerSegment(string Text, IReadOnlyList<EntitySpan> Spans)
{
    static readonly char[] SentenceEnds = ['。', '；', ';', '！', '？', '\n'];

    public static List<NerSegment> Split(string text, IReadOnlyList<EntitySpan> spans, int maxChars)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxChars, 8);
        var cuts = new List<int>();
        var start = 0;
        while (start < text.Length)
        {
            var end = Math.Min(text.Length, start + maxChars);
            if (end < text.Length)
            {
                var sentenceEnd = text.LastIndexOfAny(SentenceEnds, end - 1, end - start);
                if (sentenceEnd > start) end = sentenceEnd + 1;
                foreach (var s in spans)
                    if (s.Start < end && end < s.End) end = s.End; // never cut an entity
            }
            cuts.Add(end);
            start = end;
        }
        var pieces = new List<NerSegment>();
        var from = 0;
        foreach (var to in cuts)
        {
            var inside = spans.Where(s => s.Start >= from && s.End <= to).Select(s => new EntitySpan(s.Start - from, s.End - from)).ToList();
            var piece = text[from..to];
            if (piece.Trim().Length > 0) pieces.Add(new NerSegment(piece, inside));
            from = to;
        }
        return pieces;
    }
}
