using System.Text.Json;
using IcdResearch.Data;

namespace IcdResearch.Pipelines.SystemA;

/// <summary>
/// Reader for `icd predict`: records in the official CCL25 input schema (a JSON array of record objects, strict UTF-8).
/// Text fields are read leniently, because every record must get a prediction: a missing or null text field is read as
/// empty (so is a bare NaN), a number or list as its text — with one warning per field counting the records affected.
/// What cannot be predicted is an error naming file, record and field: a file that is not an array of records (e.g.
/// <c>{"records": [...]}</c>), a record that is not an object, a record without a 病案标识, a repeated 病案标识.
/// Labels, if present, are ignored.
/// </summary>
public static class PredictInput
{
    public static List<ClinicalRecord> Read(string path, Action<string> warn)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"input file not found: {path}", path);
        JsonDocument doc;
        // Bare NaN (a pandas export artefact; the official test-a file has it) is read as null, as the training loaders do.
        var json = JsonRecordFile.ReplaceBareNaN(IO.InputText.ReadAllText(path));
        try { doc = JsonDocument.Parse(json, new JsonDocumentOptions { AllowTrailingCommas = true }); }
        catch (JsonException e)
        {
            throw new DataFormatException(path, $"malformed JSON at line {(e.LineNumber ?? 0) + 1}, position {(e.BytePositionInLine ?? 0) + 1}: {e.Message}", inner: e);
        }
        using var _ = doc;
        if (doc.RootElement.ValueKind != JsonValueKind.Array)
        {
            var keys = doc.RootElement.ValueKind == JsonValueKind.Object
                ? $" with the keys {string.Join(", ", doc.RootElement.EnumerateObject().Take(5).Select(p => $"\"{Excerpt.Of(p.Name, 40)}\""))}" : "";
            throw new DataFormatException(path, $"expected a JSON array of records at the top level, found {Describe(doc.RootElement.ValueKind)}{keys}");
        }
        var items = doc.RootElement.EnumerateArray().ToList();
        var missing = new Dictionary<string, int>();
        var records = new List<ClinicalRecord>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < items.Count; i++)
        {
            if (items[i].ValueKind != JsonValueKind.Object)
                throw new DataFormatException(path, $"expected a record object, found {Describe(items[i].ValueKind)}", i);
            var id = Text(items[i], Ccl25Fields.Id)?.Trim();
            if (string.IsNullOrEmpty(id)) throw new DataFormatException(path, "missing or empty: every record needs an id to predict for", i, field: Ccl25Fields.Id);
            if (!seen.Add(id)) throw new DataFormatException(path, "duplicate id (the same 病案标识 occurs earlier in the file)", i, id, Ccl25Fields.Id);
            var record = new ClinicalRecord { Id = id };
            var absent = new List<string>();
            foreach (var field in Ccl25Fields.TextFields)
            {
                var text = Text(items[i], field);
                if (text is null) { absent.Add(field); missing[field] = missing.GetValueOrDefault(field) + 1; }
                record = record.WithField(field, text ?? "");
            }
            records.Add(record with { MissingFields = absent });
        }
        foreach (var (field, count) in missing) warn($"{path}: {count} of {items.Count} record{(items.Count == 1 ? "" : "s")} {(count == 1 ? "has" : "have")} no {field} (read as empty)");
        return records;
    }

    static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => "null",
    };

    static string? Text(JsonElement record, string field)
        => record.TryGetProperty(field, out var v) ? v.ValueKind switch
        {
            JsonValueKind.String => v.GetString(),
            JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => v.GetRawText(),
            JsonValueKind.Array => string.Join('；', v.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.String ? e.GetString() : e.GetRawText())),
            _ => null,
        } : null;
}
