using System.Text;
using System.Text.Json.Serialization;
using IcdResearch.Data;

namespace IcdResearch.Pipelines.SystemA;

/// <summary>One record field of the clinical information and the most characters of it that are kept.</summary>
public sealed record ClinicalField(
    [property: JsonPropertyName("field")] string Field,
    [property: JsonPropertyName("max_chars")] int MaxChars);

/// <summary>
/// Which record fields make up the "clinical information" of System A's prompts (system paper Figures 2–3), in which
/// order, and how many characters of each. The paper feeds whole records to a 7B model with max length 5120; the
/// default backbone here is small, character-level and CPU-only, so the defaults keep about 550 characters:
/// 主诉 (the reason for admission, 60), 入院诊断 (the admission diagnoses — the strongest cue for both the primary and the
/// other codes, 160), 既往史 (history: chronic comorbidities such as hypertension and diabetes, 120) and the start of
/// 诊疗经过 (examinations and findings, e.g. ultrasound/CT results behind 脂肪肝, 颈动脉硬化, 200). Fields are rendered as
/// "字段：内容" lines; whitespace runs collapse to one space; a longer field keeps its beginning; empty fields are skipped.
/// Saved with the models (system-a.json) so `icd predict` renders records exactly as in training.
/// </summary>
public sealed record ClinicalInfoOptions
{
    [JsonPropertyName("fields")]
    public IReadOnlyList<ClinicalField> Fields { get; init; } =
    [
        new(Ccl25Fields.ChiefComplaint, 60),
        new(Ccl25Fields.AdmissionDiagnosis, 160),
        new(Ccl25Fields.PastHistory, 120),
        new(Ccl25Fields.TreatmentCourse, 200),
    ];

    /// <summary>
    /// For records that exist only in the entity-extracted view (train-entities.json has 754 labelled records, only
    /// 160 of them with raw text): which entity types stand in for the text, each as "类型：a，b" clipped to max_chars.
    /// </summary>
    [JsonPropertyName("entity_fields")]
    public IReadOnlyList<ClinicalField> EntityFields { get; init; } =
    [
        new("疾病", 200),
        new("症状", 100),
        new("手术", 60),
        new("检查项目", 120),
    ];

    public static ClinicalInfoOptions Default { get; } = new();

    /// <summary>Throws for unknown field names or non-positive lengths (so a bad config fails before any training).</summary>
    public void Validate()
    {
        foreach (var f in Fields)
        {
            if (!Ccl25Fields.TextFields.Contains(f.Field)) throw new ArgumentException($"clinical info field '{f.Field}' is not a CCL25 text field ({string.Join(", ", Ccl25Fields.TextFields)})");
            if (f.MaxChars <= 0) throw new ArgumentException($"clinical info field '{f.Field}' has max_chars {f.MaxChars}; must be positive");
        }
    }

    /// <summary>The most characters a rendering can have (labels, text and newlines).</summary>
    public int MaxLength => Fields.Sum(f => f.Field.Length + 1 + f.MaxChars + 1);

    public string Render(ClinicalRecord record)
    {
        var sb = new StringBuilder();
        foreach (var f in Fields)
        {
            var text = Clip(Normalize(record.Field(f.Field)), f.MaxChars);
            if (text.Length == 0) continue;
            if (sb.Length > 0) sb.Append('\n');
            sb.Append(f.Field).Append('：').Append(text);
        }
        return sb.ToString();
    }

    /// <summary>Entity-only rendering: the record's entities of each configured type (both views, de-duplicated).</summary>
    public string Render(EntityRecord record)
    {
        var lines = EntityFields.Select(f => (f.Field, Text: Clip(string.Join('，', record.Entities(f.Field)), f.MaxChars)))
            .Where(x => x.Text.Length > 0).Select(x => $"{x.Field}：{x.Text}");
        return string.Join('\n', lines);
    }

    /// <summary>Collapses whitespace runs (including newlines) to one space and trims.</summary>
    public static string Normalize(string text)
    {
        var sb = new StringBuilder(text.Length);
        var space = false;
        foreach (var c in text.Trim())
        {
            if (char.IsWhiteSpace(c)) { space = true; continue; }
            if (space) sb.Append(' ');
            space = false;
            sb.Append(c);
        }
        return sb.ToString();
    }

    static string Clip(string text, int max) => text.Length <= max ? text : text[..max];
}
