using System.Text.Json;

namespace IcdResearch.Data;

/// <summary>
/// The entity-extracted CCL25 files: 病案标识, 抽取后主要诊断病例文本 and 抽取后其他诊断病例文本 (each a list of objects
/// entity type → "a，b，c"), plus the label fields when labelled.
/// </summary>
public static class Ccl25EntityFile
{
    public static List<EntityRecord> Load(string path, CodeTable? codes = null, LabelPolicy labels = LabelPolicy.Optional)
    {
        var result = new List<EntityRecord>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var rec in JsonRecordFile.Read(path))
        {
            Ccl25Json.CheckUnique(seen, rec);
            var record = new EntityRecord
            {
                Id = rec.Id!,
                PrimaryView = ReadView(rec, Ccl25Fields.PrimaryEntities),
                OtherView = ReadView(rec, Ccl25Fields.OtherEntities),
            };
            if (Ccl25Json.TryReadLabels(rec, labels, codes, out var primary, out var others))
                record = record with { PrimaryCode = primary, OtherCodes = others };
            result.Add(record);
        }
        return result;
    }

    static List<EntityGroup> ReadView(RecordFields rec, string field)
    {
        if (!rec.Element.TryGetProperty(field, out var view)) throw rec.Error("missing field", field);
        if (view.ValueKind != JsonValueKind.Array) throw rec.Error($"expected a list of entity objects, found {view.ValueKind}", field);
        var groups = new List<EntityGroup>();
        var g = 0;
        foreach (var group in view.EnumerateArray())
        {
            if (group.ValueKind != JsonValueKind.Object) throw rec.Error($"item {g}: expected an object entity type → entities, found {group.ValueKind}", field);
            var types = new List<KeyValuePair<string, IReadOnlyList<string>>>();
            foreach (var property in group.EnumerateObject())
            {
                if (property.Value.ValueKind != JsonValueKind.String)
                    throw rec.Error($"item {g}, entity type '{property.Name}': expected a string, found {property.Value.ValueKind}", field);
                var entities = property.Value.GetString()!.Split('，').Select(s => s.Trim()).ToList();
                if (entities.Any(e => e.Length == 0))
                    throw rec.Error($"item {g}, entity type '{property.Name}': empty entity in \"{property.Value.GetString()}\"", field);
                types.Add(new(property.Name, entities));
            }
            groups.Add(new EntityGroup(types));
            g++;
        }
        return groups;
    }

    public static void Save(string path, IEnumerable<EntityRecord> records) =>
        Ccl25Json.WriteArray(path, records, (w, r) =>
        {
            w.WriteString(Ccl25Fields.Id, r.Id);
            WriteView(w, Ccl25Fields.PrimaryEntities, r.PrimaryView);
            WriteView(w, Ccl25Fields.OtherEntities, r.OtherView);
            if (r.HasLabels)
            {
                w.WriteString(Ccl25Fields.PrimaryCode, r.PrimaryCode);
                w.WriteString(Ccl25Fields.OtherCodes, CodeList.Format(r.OtherCodes!));
            }
        });

    static void WriteView(Utf8JsonWriter w, string field, IReadOnlyList<EntityGroup> view)
    {
        w.WriteStartArray(field);
        foreach (var group in view)
        {
            w.WriteStartObject();
            foreach (var (type, entities) in group.Types) w.WriteString(type, string.Join('，', entities));
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }
}
