using System.Text;
using System.Text.Json;

namespace IcdResearch.Data;

/// <summary>
/// Reads a JSON file holding an array of record objects (the CCL25 and CHIP-CDN layout) and gives located access to
/// each record's fields, so every loader reports bad input as file + record index + 病案标识 + field.
/// The non-JSON literal <c>NaN</c> (a pandas export artefact found in test-a-raw.json) is read as null.
/// </summary>
internal static class JsonRecordFile
{
    /// <summary>The top-level array's objects, each wrapped in a <see cref="RecordFields"/> locator.</summary>
    public static List<RecordFields> Read(string path, string? idField = Ccl25Fields.Id)
    {
        if (!File.Exists(path) && !Directory.Exists(path)) throw new FileNotFoundException($"data file not found: {path}", path);
        var text = ReplaceBareNaN(IO.InputText.ReadAllText(path));
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(text, new JsonDocumentOptions { AllowTrailingCommas = false, CommentHandling = JsonCommentHandling.Disallow });
        }
        catch (JsonException e)
        {
            throw new DataFormatException(path, $"malformed JSON at line {(e.LineNumber ?? 0) + 1}, position {(e.BytePositionInLine ?? 0) + 1}: {e.Message}", inner: e);
        }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Array)
                throw new DataFormatException(path, $"expected a JSON array of records at the top level, found {doc.RootElement.ValueKind}");
            var records = new List<RecordFields>();
            var index = 0;
            foreach (var element in doc.RootElement.EnumerateArray())
            {
                if (element.ValueKind != JsonValueKind.Object)
                    throw new DataFormatException(path, $"expected a JSON object, found {element.ValueKind}", index);
                records.Add(new RecordFields(path, index++, element.Clone(), idField));
            }
            return records;
        }
    }

    /// <summary>Rewrites bare NaN tokens outside strings to null (same line numbers; positions shift by one per token).</summary>
    internal static string ReplaceBareNaN(string json)
    {
        if (!json.Contains("NaN", StringComparison.Ordinal)) return json;
        var sb = new StringBuilder(json.Length + 16);
        var inString = false;
        for (var i = 0; i < json.Length; i++)
        {
            var c = json[i];
            if (inString)
            {
                sb.Append(c);
                if (c == '\\' && i + 1 < json.Length) sb.Append(json[++i]);
                else if (c == '"') inString = false;
            }
            else if (c == '"') { inString = true; sb.Append(c); }
            else if (c == 'N' && string.CompareOrdinal(json, i, "NaN", 0, 3) == 0) { sb.Append("null"); i += 2; }
            else sb.Append(c);
        }
        return sb.ToString();
    }
}

/// <summary>One record object of a JSON record file, with accessors that throw located <see cref="DataFormatException"/>s.</summary>
internal sealed class RecordFields(string file, int index, JsonElement element, string? idField)
{
    public string File { get; } = file;
    public int Index { get; } = index;
    public JsonElement Element { get; } = element;

    /// <summary>The record id (病案标识): a required non-empty string (null for files without ids, e.g. CHIP-CDN).</summary>
    public string? Id { get; } = idField is null ? null : ReadId(file, index, element, idField);

    public bool Has(string field) => Element.TryGetProperty(field, out _);

    public DataFormatException Error(string message, string? field = null, Exception? inner = null) =>
        new(File, message, Index, Id, field, inner);

    /// <summary>A required string field (null, missing or a non-string is an error).</summary>
    public string RequiredString(string field)
    {
        if (!Element.TryGetProperty(field, out var value)) throw Error("missing field", field);
        if (value.ValueKind != JsonValueKind.String) throw Error($"expected a string, found {Describe(value)}", field);
        return value.GetString()!;
    }

    /// <summary>A text field that must be present; null/NaN is allowed and reported through <paramref name="wasNull"/>.</summary>
    public string TextOrNull(string field, out bool wasNull)
    {
        if (!Element.TryGetProperty(field, out var value)) throw Error("missing field", field);
        wasNull = value.ValueKind == JsonValueKind.Null;
        if (wasNull) return "";
        if (value.ValueKind != JsonValueKind.String) throw Error($"expected a string, found {Describe(value)}", field);
        return value.GetString()!;
    }

    /// <summary>A code-list field (; or ； separated), each code optionally checked against a code table.</summary>
    public IReadOnlyList<string> CodeListField(string field, CodeTable? codes, bool allowEmpty)
    {
        var text = RequiredString(field);
        IReadOnlyList<string> list;
        try { list = CodeList.Parse(text); }
        catch (FormatException e) { throw Error(e.Message, field, e); }
        if (list.Count == 0 && !allowEmpty) throw Error("empty code list", field);
        // A code repeated within one list is kept as written; the metrics compare sets, so it counts once.
        foreach (var code in list) CheckCode(code, field, codes);
        return list;
    }

    /// <summary>A single code field: required, non-empty, known to the code table when one is given.</summary>
    public string CodeField(string field, CodeTable? codes)
    {
        var code = RequiredString(field).Trim();
        if (code.Length == 0) throw Error("empty code", field);
        if (code.Any(char.IsWhiteSpace) || code.IndexOfAny([';', '；']) >= 0) throw Error($"expected one code, found \"{Excerpt.Of(code)}\"", field);
        CheckCode(code, field, codes);
        return code;
    }

    void CheckCode(string code, string field, CodeTable? codes)
    {
        if (codes is not null && codes.Problem(code) is { } problem) throw Error(problem, field);
    }

    static string ReadId(string file, int index, JsonElement element, string idField)
    {
        if (!element.TryGetProperty(idField, out var value)) throw new DataFormatException(file, "missing field", index, null, idField);
        if (value.ValueKind != JsonValueKind.String) throw new DataFormatException(file, $"expected a string, found {Describe(value)}", index, null, idField);
        var id = value.GetString()!.Trim();
        if (id.Length == 0) throw new DataFormatException(file, "empty id", index, null, idField);
        return id;
    }

    static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Number => $"number {value.GetRawText()}",
        JsonValueKind.Null => "null",
        JsonValueKind.True or JsonValueKind.False => $"boolean {value.GetRawText()}",
        JsonValueKind.Array => "an array",
        JsonValueKind.Object => "an object",
        _ => value.ValueKind.ToString(),
    };
}
