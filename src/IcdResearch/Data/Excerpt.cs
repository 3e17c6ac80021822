namespace IcdResearch.Data;

/// <summary>Quotes a value in an error message without echoing a megabyte field: long text is cut with its length said.</summary>
public static class Excerpt
{
    public const int DefaultLength = 80;

    /// <summary><paramref name="text"/> itself when short, else its start, "…" and how many characters were left out.</summary>
    public static string Of(string? text, int max = DefaultLength)
    {
        if (text is null) return "";
        if (text.Length <= max) return text;
        var cut = char.IsHighSurrogate(text[max - 1]) ? max - 1 : max;
        return $"{text[..cut]}… ({text.Length - cut:N0} more characters)";
    }
}
