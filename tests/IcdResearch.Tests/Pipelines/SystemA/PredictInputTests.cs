using IcdResearch.Data;
using IcdResearch.Pipelines.SystemA;

namespace IcdResearch.Tests;

/// <summary>`icd predict`'s reader: text fields are read leniently (with warnings); what cannot be predicted is a located error.</summary>
public class PredictInputTests : IDisposable
{
    readonly string _file = Path.Combine(Path.GetTempPath(), $"icd-predict-input-{Guid.NewGuid():N}.json");
    public void Dispose() { if (File.Exists(_file)) File.Delete(_file); }

    [Fact]
    public void ReadsBareNaNNumbersAndArraysLeniently()
    {
        File.WriteAllText(_file, """
            [
              {"病案标识": "A1", "主诉": "胸痛2天", "入院诊断": NaN, "既往史": "高血压", "主要诊断编码": "I10.x00x032"},
              {"病案标识": 17, "主诉": "心悸", "入院诊断": ["冠心病", "房颤"]},
              {"病案标识": "A3", "主诉": "NaN 不是缺失值"}
            ]
            """);
        var warnings = new List<string>();
        var records = PredictInput.Read(_file, warnings.Add);

        Assert.Equal(["A1", "17", "A3"], records.Select(r => r.Id));
        Assert.Equal("", records[0].AdmissionDiagnosis);                       // bare NaN → empty, not an error
        Assert.Contains(Ccl25Fields.AdmissionDiagnosis, records[0].MissingFields);
        Assert.Equal("冠心病；房颤", records[1].AdmissionDiagnosis);            // a list is joined
        Assert.Equal("NaN 不是缺失值", records[2].ChiefComplaint);              // NaN inside a string is text
        Assert.Contains(warnings, w => w.Contains($"2 of 3 records have no {Ccl25Fields.AdmissionDiagnosis}"));
    }

    [Theory]
    [InlineData("""[{"病案标识": "A1", "主诉": "x"}, {"主诉": "no id"}]""", "record #1", "病案标识")]
    [InlineData("""[{"病案标识": "A1", "主诉": "x"}, {"病案标识": "A1", "主诉": "again"}]""", "record #1", "duplicate id")]
    [InlineData("""[{"病案标识": "A1", "主诉": "x"}, "not a record"]""", "record #1", "found a string")]
    [InlineData("""{"records": [{"病案标识": "A1", "主诉": "x"}]}""", "top level", "\"records\"")]
    public void WhatCannotBePredictedIsALocatedError(string json, string where, string what)
    {
        File.WriteAllText(_file, json);
        var e = Assert.Throws<DataFormatException>(() => PredictInput.Read(_file, _ => { }));
        Assert.Contains(_file, e.Message);
        Assert.Contains(where, e.Message);
        Assert.Contains(what, e.Message);
    }

    [Fact]
    public void ANonJsonFileIsAnErrorNamingTheFile()
    {
        File.WriteAllText(_file, "[{\"病案标识\": \"A1\",");
        var e = Assert.Throws<DataFormatException>(() => PredictInput.Read(_file, _ => { }));
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
