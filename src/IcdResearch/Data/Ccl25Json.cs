using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;

namespace IcdResearch.Data;

/// <summary>Shared JSON writing settings: indented, Chinese written as-is (not \u escapes).</summary>
internal static class Ccl25Json
{
    public static readonly JsonWriterOptions WriterOptions = new()
    {
        Indented = true,
        Encoder = JavaScriptEncoder.Create(UnicodeRanges.All),
    };

    public static readonly JsonSerializerOptions SerializerOptions = new()
    {
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, // files, not HTML: keep "+" and Chinese readable
    };

    /// <summary>Writes an array of objects atomically (temp file, then rename).</summary>
    public static void WriteArray<T>(string path, IEnumerable<T> items, Action<Utf8JsonWriter, T> writeFields)
    {
        IO.AtomicFile.Write(path, stream =>
        {
            using var writer = new Utf8JsonWriter(stream, WriterOptions);
            writer.WriteStartArray();
            foreach (var item in items)
            {
                writer.WriteStartObject();
                writeFields(writer, item);
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
        });
    }

    /// <summary>Reads labels from a record by policy; returns false when the record is (allowed to be) unlabelled.</summary>
    public static bool TryReadLabels(RecordFields record, LabelPolicy policy, CodeTable? codes, out string primary, out IReadOnlyList<string> others)
    {
        primary = ""; others = [];
        if (policy == LabelPolicy.Ignore) return false;
        bool hasPrimary = record.Has(Ccl25Fields.PrimaryCode), hasOthers = record.Has(Ccl25Fields.OtherCodes);
        if (!hasPrimary && !hasOthers && policy == LabelPolicy.Optional) return false;
        if (!hasPrimary) throw record.Error("missing field", Ccl25Fields.PrimaryCode);
        if (!hasOthers) throw record.Error("missing field", Ccl25Fields.OtherCodes);
        primary = record.CodeField(Ccl25Fields.PrimaryCode, codes);
        others = record.CodeListField(Ccl25Fields.OtherCodes, codes, allowEmpty: true);
        return true;
    }

    /// <summary>Throws a located error for the second occurrence of an id.</summary>
    public static void CheckUnique(HashSet<string> seen, RecordFields record)
    {
        if (!seen.Add(record.Id!)) throw record.Error("duplicate id (the same 病案标识 occurs earlier in the file)", Ccl25Fields.Id);
    }
}
