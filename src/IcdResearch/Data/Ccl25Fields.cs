namespace IcdResearch.Data;

/// <summary>The JSON field names of the CCL25-Eval Task 8 schema (raw, labels-only and entity-extracted files).</summary>
public static class Ccl25Fields
{
    public const string Id = "病案标识";
    public const string ChiefComplaint = "主诉";
    public const string PresentIllness = "现病史";
    public const string PastHistory = "既往史";
    public const string PersonalHistory = "个人史";
    public const string MaritalHistory = "婚姻史";
    public const string FamilyHistory = "家族史";
    public const string AdmissionCondition = "入院情况";
    public const string AdmissionDiagnosis = "入院诊断";
    public const string TreatmentCourse = "诊疗经过";
    public const string DischargeCondition = "出院情况";
    public const string DischargeOrders = "出院医嘱";
    public const string PrimaryCode = "主要诊断编码";
    public const string OtherCodes = "其他诊断编码";
    public const string PrimaryEntities = "抽取后主要诊断病例文本";
    public const string OtherEntities = "抽取后其他诊断病例文本";

    /// <summary>The 11 free-text fields of a raw record, in file order (together with 病案标识 the 12 text fields).</summary>
    public static readonly IReadOnlyList<string> TextFields =
    [
        ChiefComplaint, PresentIllness, PastHistory, PersonalHistory, MaritalHistory, FamilyHistory,
        AdmissionCondition, AdmissionDiagnosis, TreatmentCourse, DischargeCondition, DischargeOrders,
    ];
}
