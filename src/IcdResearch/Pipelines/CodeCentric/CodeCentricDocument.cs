using IcdResearch.Data;

namespace IcdResearch.Pipelines.CodeCentric;

/// <summary>
/// The document text a CCL model reads: chosen record fields as "字段：内容" lines, 入院诊断 first (it names most
/// diagnoses), cut to <see cref="MaxChars"/> characters. The paper feeds whole discharge summaries to 8B models; our
/// small CPU backbone reads a short, documented prefix instead. Evidence spans are verbatim substrings of this text.
/// </summary>
public sealed record CodeCentricDocument
{
    /// <summary>Fields in reading order (default: 入院诊断, 主诉, 既往史, 现病史).</summary>
    public IReadOnlyList<string> Fields { get; init; } =
        [Ccl25Fields.AdmissionDiagnosis, Ccl25Fields.ChiefComplaint, Ccl25Fields.PastHistory, Ccl25Fields.PresentIllness];

    /// <summary>Maximum characters of document text (the rest is cut, and counted by the caller).</summary>
    public int MaxChars { get; init; } = 256;

    public string Build(ClinicalRecord record)
    {
        var text = record.FullText(Fields);
        return text.Length <= MaxChars ? text : text[..MaxChars];
    }

    /// <summary>True when <see cref="Build"/> had to cut the record's text.</summary>
    public bool IsTruncated(ClinicalRecord record) => record.FullText(Fields).Length > MaxChars;
}
