namespace IcdResearch.Data;

/// <summary>
/// Labels of CCL25 records: train-labels.json (病案标识, 主要诊断编码, 其他诊断编码), or the labels of any labelled CCL25
/// file (raw or entity view — other fields are ignored). This is also how gold files are read by the metrics.
/// </summary>
public static class Ccl25LabelsFile
{
    public static List<CodeAssignment> Load(string path, CodeTable? codes = null)
    {
        var result = new List<CodeAssignment>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var rec in JsonRecordFile.Read(path))
        {
            Ccl25Json.CheckUnique(seen, rec);
            Ccl25Json.TryReadLabels(rec, LabelPolicy.Required, codes, out var primary, out var others);
            result.Add(new CodeAssignment(rec.Id!, primary, others));
        }
        return result;
    }

    public static void Save(string path, IEnumerable<CodeAssignment> labels) =>
        Ccl25Json.WriteArray(path, labels, (w, a) =>
        {
            w.WriteString(Ccl25Fields.Id, a.Id);
            w.WriteString(Ccl25Fields.PrimaryCode, a.PrimaryCode);
            w.WriteString(Ccl25Fields.OtherCodes, CodeList.Format(a.OtherCodes));
        });
}
