using System.Text.Json;

namespace IcdResearch.Data;

/// <summary>
/// The raw CCL25 schema (train-raw.json, test-a-raw.json): an array of records with 病案标识, the 11 text fields and,
/// for labelled files, 主要诊断编码 and 其他诊断编码. Every field must be present; a text field may be null (or NaN),
/// which is read as empty text and listed in <see cref="ClinicalRecord.MissingFields"/>.
/// </summary>
public static class Ccl25RawFile
{
    /// <summary>
    /// Loads every record; throws <see cref="DataFormatException"/> on the first bad one (nothing is dropped).
    /// When <c>codes</c> is given, every label code must be in that table.
    /// </summary>
    public static List<ClinicalRecord> Load(string path, CodeTable? codes = null, LabelPolicy labels = LabelPolicy.Optional)
    {
        var result = new List<ClinicalRecord>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var rec in JsonRecordFile.Read(path))
        {
            Ccl25Json.CheckUnique(seen, rec);
            var record = new ClinicalRecord { Id = rec.Id! };
            var missing = new List<string>();
            foreach (var field in Ccl25Fields.TextFields)
            {
                var text = rec.TextOrNull(field, out var wasNull);
                if (wasNull) missing.Add(field);
                record = record.WithField(field, text);
            }
            if (Ccl25Json.TryReadLabels(rec, labels, codes, out var primary, out var others))
                record = record with { PrimaryCode = primary, OtherCodes = others };
            result.Add(record with { MissingFields = missing });
        }
        return result;
    }

    /// <summary>Writes records in the raw schema (labels only for labelled records; missing fields as null).</summary>
    public static void Save(string path, IEnumerable<ClinicalRecord> records) =>
        Ccl25Json.WriteArray(path, records, (w, r) =>
        {
            w.WriteString(Ccl25Fields.Id, r.Id);
            foreach (var field in Ccl25Fields.TextFields)
            {
                if (r.MissingFields.Contains(field)) w.WriteNull(field);
                else w.WriteString(field, r.Field(field));
            }
            if (r.HasLabels)
            {
                w.WriteString(Ccl25Fields.PrimaryCode, r.PrimaryCode);
                w.WriteString(Ccl25Fields.OtherCodes, CodeList.Format(r.OtherCodes!));
            }
        });
}
