using IcdResearch.Data;

namespace IcdResearch.Evaluation;

/// <summary>
/// The CCL25-Eval Task 8 submission format: <c>[{"病案标识": id, "预测结果": "[PRIMARY|OTHER1;OTHER2]"}]</c>.
/// The prediction string is one bracketed pair: the primary code, a single <c>|</c>, then the other codes separated by
/// <c>;</c> or <c>；</c> (whitespace around codes is trimmed; no other codes is <c>[P|]</c>). Anything else is malformed.
/// </summary>
public static class SubmissionFormat
{
    public const string PredictionField = "预测结果";

    /// <summary>"[P|O1;O2]" for a prediction.</summary>
    public static string Format(CodeAssignment prediction) =>
        $"[{prediction.PrimaryCode}|{CodeList.Format(prediction.OtherCodes)}]";

    /// <summary>Parses "[P|O1;O2]"; throws <see cref="FormatException"/> saying what is wrong.</summary>
    public static (string Primary, IReadOnlyList<string> Others) Parse(string text)
    {
        var s = text.Trim();
        if (s.Length < 2 || s[0] != '[' || s[^1] != ']')
            throw new FormatException($"prediction \"{Excerpt.Of(text)}\" is not of the form [PRIMARY|OTHER1;OTHER2]: missing the enclosing brackets");
        var inner = s[1..^1];
        if (inner.IndexOfAny(['[', ']']) >= 0) throw new FormatException($"prediction \"{Excerpt.Of(text)}\" has nested brackets");
        var parts = inner.Split('|');
        if (parts.Length != 2)
            throw new FormatException($"prediction \"{Excerpt.Of(text)}\" must contain exactly one '|' between the primary code and the other codes, found {parts.Length - 1}");
        var primary = parts[0].Trim();
        if (primary.Length == 0) throw new FormatException($"prediction \"{Excerpt.Of(text)}\" has an empty primary code");
        if (primary.Any(char.IsWhiteSpace) || primary.IndexOfAny([';', '；']) >= 0)
            throw new FormatException($"prediction \"{Excerpt.Of(text)}\" must have exactly one primary code, found \"{Excerpt.Of(primary)}\"");
        IReadOnlyList<string> others;
        try { others = CodeList.Parse(parts[1]); }
        catch (FormatException e) { throw new FormatException($"prediction \"{Excerpt.Of(text)}\": other codes: {e.Message}", e); }
        return (primary, others);
    }

    /// <summary>
    /// Reads a submission file; errors (malformed JSON or UTF-8, missing/mistyped field, duplicate id, malformed
    /// prediction, a wrong separator such as [P|A,B], and — with <paramref name="codes"/> — an unknown or wrongly cased
    /// code) name the file, record and field.
    /// </summary>
    public static List<CodeAssignment> Read(string path, CodeTable? codes = null)
    {
        var result = new List<CodeAssignment>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var rec in JsonRecordFile.Read(path))
        {
            if (!seen.Add(rec.Id!)) throw rec.Error("duplicate id (the same 病案标识 occurs earlier in the file)", Ccl25Fields.Id);
            var text = rec.RequiredString(PredictionField);
            try
            {
                var (primary, others) = Parse(text);
                if (codes is not null)
                    foreach (var code in others.Prepend(primary))
                        if (codes.Problem(code) is { } problem) throw new FormatException(problem);
                result.Add(new CodeAssignment(rec.Id!, primary, others));
            }
            catch (FormatException e) { throw rec.Error(e.Message, PredictionField, e); }
        }
        return result;
    }

    public static void Write(string path, IEnumerable<CodeAssignment> predictions) =>
        Ccl25Json.WriteArray(path, predictions, (w, p) =>
        {
            w.WriteString(Ccl25Fields.Id, p.Id);
            w.WriteString(PredictionField, Format(p));
        });
}
