using IcdResearch.Data;

namespace IcdResearch.Tuning;

/// <summary>
/// A CCL25 SFT task for measuring fine-tuning: given 入院诊断 and 主诉 of a record, answer the name of its primary
/// diagnosis code (主要诊断编码 → 疾病名称 in the code table). Small prompts, short answers: it runs on CPU in minutes.
/// </summary>
public static class PrimaryDiagnosisSft
{
    public const string Instruction = "根据入院诊断和主诉，写出该病例的主要诊断名称。";

    public static SftExample Example(ClinicalRecord record, CodeTable codes)
    {
        if (record.PrimaryCode is null) throw new ArgumentException($"record {record.Id} has no primary code (unlabelled)");
        var prompt = $"{Instruction}\n入院诊断：{record.AdmissionDiagnosis}\n主诉：{record.ChiefComplaint}";
        return new SftExample(prompt, codes.NameOf(record.PrimaryCode));
    }

    /// <summary>Examples for the records of one split part (train, dev or test), in id order.</summary>
    public static List<SftExample> For(Ccl25Dataset data, IEnumerable<string> ids) =>
        ids.Select(id => data.RawById.TryGetValue(id, out var r) ? r
                : throw new ArgumentException($"record {id} of the split has no raw text"))
            .Select(r => Example(r, data.Codes)).ToList();
}
