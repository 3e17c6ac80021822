namespace IcdResearch.Data;

/// <summary>
/// The CCL25 code-list notation: codes separated by <c>;</c> (sometimes the full-width <c>；</c>), stray whitespace
/// around each code trimmed. A blank string is the empty list; an empty item between separators, or a code holding a
/// comma, 、 or | (a wrong separator), is an error.
/// </summary>
public static class CodeList
{
    static readonly char[] Separators = [';', '；'];
    /// <summary>Separators people type by mistake; no DCCNCE code contains them, so a code holding one is two codes run together.</summary>
    static readonly char[] WrongSeparators = [',', '，', '、', '|'];

    /// <summary>Splits "I48.x01; E11.900；E78.500" into its codes. Throws <see cref="FormatException"/> on an empty item.</summary>
    public static IReadOnlyList<string> Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (string.IsNullOrWhiteSpace(text)) return [];
        var parts = text.Split(Separators);
        var codes = new List<string>(parts.Length);
        for (var i = 0; i < parts.Length; i++)
        {
            var code = parts[i].Trim();
            if (code.Length == 0) throw new FormatException($"empty code at position {i + 1} of \"{Excerpt.Of(text)}\"");
            if (code.Any(char.IsWhiteSpace)) throw new FormatException($"code \"{Excerpt.Of(code)}\" contains whitespace in \"{Excerpt.Of(text)}\"");
            if (code.IndexOfAny(WrongSeparators) is var at and >= 0)
                throw new FormatException($"code \"{Excerpt.Of(code)}\" contains '{code[at]}': codes are separated by ';' (or '；'), not '{code[at]}'");
            codes.Add(code);
        }
        return codes;
    }

    /// <summary>The file notation: codes joined by <c>;</c>.</summary>
    public static string Format(IEnumerable<string> codes) => string.Join(';', codes);
}
