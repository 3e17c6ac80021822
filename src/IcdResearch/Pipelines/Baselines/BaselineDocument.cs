using IcdResearch.Data;

namespace IcdResearch.Pipelines.Baselines;

/// <summary>What a baseline sees of a record: its id, one text view (the full note, or the entity lists) and its labels when known.</summary>
public sealed record BaselineDocument(string Id, string Text, CodeAssignment? Labels)
{
    /// <summary>The full note: every non-empty text field as "字段：内容".</summary>
    public static BaselineDocument FromRaw(ClinicalRecord r) => new(r.Id, r.FullText(), r.HasLabels ? r.Labels() : null);

    /// <summary>The entity-extracted view (a different view of the same record: entity lists, not the note).</summary>
    public static BaselineDocument FromEntities(EntityRecord r) => new(r.Id, r.ToText(), r.HasLabels ? r.Labels() : null);

    /// <summary>Reads a CCL25 file as documents: the entity view if its records have 抽取后主要诊断病例文本, else the raw schema.</summary>
    public static List<BaselineDocument> LoadFile(string path, LabelPolicy labels = LabelPolicy.Optional)
    {
        var isEntityView = JsonRecordFile.Read(path).FirstOrDefault()?.Has(Ccl25Fields.PrimaryEntities) ?? false;
        return isEntityView
            ? Ccl25EntityFile.Load(path, labels: labels).Select(FromEntities).ToList()
            : Ccl25RawFile.Load(path, labels: labels).Select(FromRaw).ToList();
    }

    internal static IReadOnlyList<CodeAssignment> RequireLabels(IReadOnlyList<BaselineDocument> docs, string what) =>
        docs.Select(d => d.Labels ?? throw new ArgumentException($"{what}: record {d.Id} has no labels")).ToList();
}
