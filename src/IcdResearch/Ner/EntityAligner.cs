namespace IcdResearch.Ner;

/// <summary>
/// Distant supervision for disease NER (system paper §3.2 trains on CCKS 2019, which is not available here): finds the
/// occurrences of known disease strings (a lexicon) in raw text and turns them into non-overlapping spans.
/// Overlap policy: all occurrences of all lexicon strings of <see cref="MinLength"/>..<see cref="MaxLength"/> characters
/// are collected; longer matches win, then the leftmost; a match overlapping an accepted one is dropped (the bracket
/// format has no nesting). E.g. in "2型糖尿病肾病" with {糖尿病, 2型糖尿病, 糖尿病肾病} the two 5-character matches tie,
/// the leftmost "2型糖尿病" is kept, and both others overlap it.
/// </summary>
public sealed class EntityAligner(int minLength = 2, int maxLength = 32)
{
    public int MinLength { get; } = minLength;
    public int MaxLength { get; } = maxLength;

    public List<EntitySpan> Align(string text, IReadOnlySet<string> lexicon)
    {
        var candidates = new List<EntitySpan>();
        for (var start = 0; start < text.Length; start++)
            for (var length = MinLength; length <= MaxLength && start + length <= text.Length; length++)
                if (lexicon.Contains(text.Substring(start, length)))
                    candidates.Add(new EntitySpan(start, start + length));
        var accepted = new List<EntitySpan>();
        foreach (var c in candidates.OrderByDescending(c => c.Length).ThenBy(c => c.Start))
            if (!accepted.Any(a => a.Overlaps(c))) accepted.Add(c);
        accepted.Sort((a, b) => a.Start.CompareTo(b.Start));
        return accepted;
    }

    /// <summary>Normalises lexicon entries (trimmed, length within bounds, no brackets) into a set.</summary>
    public HashSet<string> Lexicon(IEnumerable<string> entries)
        => entries.Select(e => e.Trim()).Where(e => e.Length >= MinLength && e.Length <= MaxLength && e.IndexOfAny(['[', ']']) < 0)
            .ToHashSet(StringComparer.Ordinal);
}
