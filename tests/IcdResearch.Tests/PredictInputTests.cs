using IcdResearch.Data;
using IcdResearch.Pipelines.SystemA;

namespace IcdResearch.Tests;

/// <summary>`icd predict`'s reader: every record of an imperfect file gets a prediction, with warnings, never a crash.</summary>
public class PredictInputTests : IDisposable
{
    readonly string _file = Path.Combine(Path.GetTempPath(), $"icd-predict-input-{Guid.NewGuid():N}.json");
    public void Dispose() { if (File.Exists(_file)) File.Delete(_file); }

    [Fact]
    public void ReadsBareNaNNumbersArraysAndMissingIdsLeniently()
    {
        File.WriteAllText(_file, """
            [
              {"病案标识": "A1", "主诉": "胸痛2天", "入院诊断": NaN, "既往史": "高血压", "主要诊断编码": "I10.x00x032"},
              {"病案标识": 17, "主诉": "心悸", "入院诊断": ["冠心病", "房颤"]},
              {"主诉": "NaN 不是缺失值"},
              {"病案标识": "A1", "主诉": "重复"},
              "not a record"
            ]
            """);
        var warnings = new List<string>();
        var records = PredictInput.Read(_file, warnings.Add);

        Assert.Equal(["A1", "17", "record-2"], records.Select(r => r.Id));
        Assert.Equal("", records[0].AdmissionDiagnosis);                       // bare NaN → empty, not an error
        Assert.Contains(Ccl25Fields.AdmissionDiagnosis, records[0].MissingFields);
        Assert.Equal("冠心病；房颤", records[1].AdmissionDiagnosis);            // a list is joined
        Assert.Equal("NaN 不是缺失值", records[2].ChiefComplaint);              // NaN inside a string is text
        Assert.Contains(warnings, w => w.Contains("record 3 repeats"));
        Assert.Contains(warnings, w => w.Contains("record 4 is not a JSON object"));
        Assert.Contains(warnings, w => w.Contains("record 2 has no 病案标识"));
    }

    [Fact]
    public void ANonJsonFileIsAnErrorNamingTheFile()
    {
        File.WriteAllText(_file, "[{\"病案标识\": \"A1\",");
        var e = Assert.Throws<InvalidDataException>(() => PredictInput.Read(_file, _ => { }));
        Assert.Contains(_file, e.Message);
        Assert.Throws<FileNotFoundException>(() => PredictInput.Read(_file + ".missing", _ => { }));
    }

    [RequiresDataFact]
    public void TheOfficialValidationFileReadsCompletely()
    {
        var warnings = new List<string>();
        var records = PredictInput.Read(TestData.Path("ccl25", "test-a-raw.json"), warnings.Add);
        Assert.Equal(200, records.Count);
        Assert.Equal(200, records.Select(r => r.Id).Distinct().Count());
        Assert.All(records, r => Assert.False(string.IsNullOrWhiteSpace(r.ChiefComplaint + r.AdmissionDiagnosis)));
    }
}
