namespace IcdResearch.Data;

/// <summary>
/// One raw CCL25 electronic medical record: 病案标识 plus the 11 free-text fields, and — for labelled files — the
/// primary code and the other codes. Text fields that were null/NaN in the file are empty here and listed in
/// <see cref="MissingFields"/> (never silently).
/// </summary>
public sealed record ClinicalRecord
{
    public required string Id { get; init; }
    public string ChiefComplaint { get; init; } = "";
    public string PresentIllness { get; init; } = "";
    public string PastHistory { get; init; } = "";
    public string PersonalHistory { get; init; } = "";
    public string MaritalHistory { get; init; } = "";
    public string FamilyHistory { get; init; } = "";
    public string AdmissionCondition { get; init; } = "";
    public string AdmissionDiagnosis { get; init; } = "";
    public string TreatmentCourse { get; init; } = "";
    public string DischargeCondition { get; init; } = "";
    public string DischargeOrders { get; init; } = "";

    /// <summary>主要诊断编码; null for unlabelled records.</summary>
    public string? PrimaryCode { get; init; }

    /// <summary>其他诊断编码; null for unlabelled records.</summary>
    public IReadOnlyList<string>? OtherCodes { get; init; }

    /// <summary>Text fields whose value was null (or the non-JSON literal NaN) in the source file.</summary>
    public IReadOnlyList<string> MissingFields { get; init; } = [];

    public bool HasLabels => PrimaryCode is not null && OtherCodes is not null;

    /// <summary>The text of a field by its schema name (e.g. "入院诊断"); "病案标识" gives the id.</summary>
    public string Field(string name) => name switch
    {
        Ccl25Fields.Id => Id,
        Ccl25Fields.ChiefComplaint => ChiefComplaint,
        Ccl25Fields.PresentIllness => PresentIllness,
        Ccl25Fields.PastHistory => PastHistory,
        Ccl25Fields.PersonalHistory => PersonalHistory,
        Ccl25Fields.MaritalHistory => MaritalHistory,
        Ccl25Fields.FamilyHistory => FamilyHistory,
        Ccl25Fields.AdmissionCondition => AdmissionCondition,
        Ccl25Fields.AdmissionDiagnosis => AdmissionDiagnosis,
        Ccl25Fields.TreatmentCourse => TreatmentCourse,
        Ccl25Fields.DischargeCondition => DischargeCondition,
        Ccl25Fields.DischargeOrders => DischargeOrders,
        _ => throw new ArgumentException($"unknown CCL25 field '{name}'; expected one of {Ccl25Fields.Id}, {string.Join(", ", Ccl25Fields.TextFields)}", nameof(name)),
    };

    /// <summary>A copy with one text field replaced (used by loaders and generators).</summary>
    public ClinicalRecord WithField(string name, string value) => name switch
    {
        Ccl25Fields.ChiefComplaint => this with { ChiefComplaint = value },
        Ccl25Fields.PresentIllness => this with { PresentIllness = value },
        Ccl25Fields.PastHistory => this with { PastHistory = value },
        Ccl25Fields.PersonalHistory => this with { PersonalHistory = value },
        Ccl25Fields.MaritalHistory => this with { MaritalHistory = value },
        Ccl25Fields.FamilyHistory => this with { FamilyHistory = value },
        Ccl25Fields.AdmissionCondition => this with { AdmissionCondition = value },
        Ccl25Fields.AdmissionDiagnosis => this with { AdmissionDiagnosis = value },
        Ccl25Fields.TreatmentCourse => this with { TreatmentCourse = value },
        Ccl25Fields.DischargeCondition => this with { DischargeCondition = value },
        Ccl25Fields.DischargeOrders => this with { DischargeOrders = value },
        _ => throw new ArgumentException($"unknown CCL25 text field '{name}'", nameof(name)),
    };

    /// <summary>All non-empty text fields as "字段：内容" lines, in schema order.</summary>
    public string FullText(IEnumerable<string>? fields = null) =>
        string.Join('\n', (fields ?? Ccl25Fields.TextFields).Select(f => (f, t: Field(f))).Where(x => x.t.Length > 0).Select(x => $"{x.f}：{x.t}"));

    /// <summary>The labels as a <see cref="CodeAssignment"/>; throws for unlabelled records.</summary>
    public CodeAssignment Labels() => HasLabels
        ? new CodeAssignment(Id, PrimaryCode!, OtherCodes!)
        : throw new InvalidOperationException($"record {Id} has no labels");
}
