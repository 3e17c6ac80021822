using IcdResearch.Data;
using IcdResearch.Ner;

namespace IcdResearch.Pipelines.SystemA;

/// <summary>
/// One record as System A sees it: its clinical information (prompt text), the text the retrieval database indexes
/// (入院诊断, §3.1), the 疾病 entities of its entity-extracted view (silver NER supervision and the NER-enhanced
/// model's training input), and its labels when known.
/// </summary>
public sealed record SystemACase(string Id, string ClinicalInfo, string AdmissionText, IReadOnlyList<string> ViewDiseases, CodeAssignment? Labels, bool HasRawText)
{
    /// <summary>A raw record (with its entity view when one exists).</summary>
    public static SystemACase FromRaw(ClinicalRecord record, EntityRecord? view, ClinicalInfoOptions options)
        => new(record.Id, options.Render(record), ClinicalInfoOptions.Normalize(record.AdmissionDiagnosis),
            NerCorpus.Diseases(view), record.HasLabels ? record.Labels() : null, HasRawText: true);

    /// <summary>
    /// A record known only through its entity view: the clinical information is rendered from the entities and the
    /// admission text stand-in is the primary view's 疾病 entities (the closest thing to an admission diagnosis).
    /// </summary>
    public static SystemACase FromEntities(EntityRecord view, ClinicalInfoOptions options)
        => new(view.Id, options.Render(view), string.Join('，', view.PrimaryView.SelectMany(g => g["疾病"]).Distinct()),
            NerCorpus.Diseases(view), view.HasLabels ? view.Labels() : null, HasRawText: false);

    /// <summary>Cases for the given ids: raw text when the dataset has it, else the entity view; unknown ids are an error.</summary>
    public static List<SystemACase> For(Ccl25Dataset data, IEnumerable<string> ids, ClinicalInfoOptions options)
        => ids.Select(id =>
        {
            data.EntitiesById.TryGetValue(id, out var view);
            if (data.RawById.TryGetValue(id, out var raw)) return FromRaw(raw, view, options);
            if (view is not null) return FromEntities(view, options);
            throw new ArgumentException($"record {id} is in neither train-raw.json nor train-entities.json of {data.Source}");
        }).ToList();
}
