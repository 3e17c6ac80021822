using System.Text.Json;
using IcdResearch.Data;

namespace IcdResearch.Pipelines.SystemA;

/// <summary>
/// Lenient reader for `icd predict`: records in the official CCL25 input schema, where every record must get a
/// prediction. Unlike the training loaders it does not reject imperfect records: a missing or null text field is
/// read as empty (so is a bare NaN), a number as its text, a missing 病案标识 becomes "record-&lt;index&gt;", a repeated id is kept once —
/// each with a warning (one line per kind, with the affected records counted). Labels, if present, are ignored.
/// Only a file that is not a JSON array (or object) of records is an error.
/// </summary>
public static class PredictInput
{
    public static List<ClinicalRecord> Read(string path, Action<string> warn)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"input file not found: {path}", path);
        JsonDocument doc;
        // Bare NaN (a pandas export artefact; the official test-a file has it) is read as null, as the training loaders do.
        var json = JsonRecordFile.ReplaceBareNaN(File.ReadAllText(path));
        try { doc = JsonDocument.Parse(json, new JsonDocumentOptions { AllowTrailingCommas = true }); }
        catch (JsonException e) { throw new InvalidDataException($"{path}: not valid JSON ({e.Message})"); }
        using var _ = doc;
        var items = doc.RootElement.ValueKind switch
        {
            JsonValueKind.Array => doc.RootElement.EnumerateArray().ToList(),
            JsonValueKind.Object => [doc.RootElement],
            var k => throw new InvalidDataException($"{path}: expected a JSON array of records, found {k}"),
        };
        var missing = new Dictionary<string, int>();
        var records = new List<ClinicalRecord>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < items.Count; i++)
        {
            if (items[i].ValueKind != JsonValueKind.Object) { warn($"{path}: record {i} is not a JSON object ({items[i].ValueKind}); skipped — it has no id to predict for"); continue; }
            var id = Text(items[i], Ccl25Fields.Id);
            if (string.IsNullOrWhiteSpace(id)) { id = $"record-{i}"; warn($"{path}: record {i} has no {Ccl25Fields.Id}; predicted as \"{id}\""); }
            id = id.Trim();
            if (!seen.Add(id)) { warn($"{path}: record {i} repeats {Ccl25Fields.Id} {id}; only its first occurrence is predicted"); continue; }
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
        foreach (var (field, count) in missing) warn($"{path}: {count} of {items.Count} records have no {field} (read as empty)");
        return records;
    }

    static string? Text(JsonElement record, string field)
        => record.TryGetProperty(field, out var v) ? v.ValueKind switch
        {
            JsonValueKind.String => v.GetString(),
            JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => v.GetRawText(),
            JsonValueKind.Array => string.Join('；', v.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.String ? e.GetString() : e.GetRawText())),
            _ => null,
        } : null;
}
