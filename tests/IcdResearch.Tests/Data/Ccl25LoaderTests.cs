using System.Text.Json.Nodes;
using IcdResearch.Data;

namespace IcdResearch.Tests;

public class Ccl25LoaderTests
{
    /// <summary>A minimal valid raw record as a JSON object that tests then break in one place.</summary>
    static JsonObject RawRecord(string id, bool labelled = true)
    {
        var o = new JsonObject { [Ccl25Fields.Id] = id };
        foreach (var f in Ccl25Fields.TextFields) o[f] = $"{f}的内容";
        if (labelled)
        {
            o[Ccl25Fields.PrimaryCode] = "I20.000";
            o[Ccl25Fields.OtherCodes] = "I25.103; E11.900";
        }
        return o;
    }

    static string WriteArray(params JsonObject[] records) =>
        TempFile.Write(new JsonArray(records.Select(r => (JsonNode)r.DeepClone()).ToArray()).ToJsonString());

    static CodeTable Codes() => new([("I20.000", "不稳定型心绞痛"), ("I25.103", "冠状动脉粥样硬化性心脏病"), ("E11.900", "2型糖尿病")]);

    [Fact]
    public void LoadsEveryFieldAndTheLabels()
    {
        var path = WriteArray(RawRecord("A1"), RawRecord("A2"));
        var records = Ccl25RawFile.Load(path, Codes());
        Assert.Equal(["A1", "A2"], records.Select(r => r.Id));
        foreach (var f in Ccl25Fields.TextFields) Assert.Equal($"{f}的内容", records[0].Field(f));
        Assert.Equal("I20.000", records[0].PrimaryCode);
        Assert.Equal(["I25.103", "E11.900"], records[0].OtherCodes);
        Assert.Empty(records[0].MissingFields);
    }

    [Fact]
    public void UnlabelledFilesLoadWithoutLabels()
    {
        var records = Ccl25RawFile.Load(WriteArray(RawRecord("T1", labelled: false)));
        Assert.False(records[0].HasLabels);
        Assert.Throws<InvalidOperationException>(() => records[0].Labels());
    }

    [Fact]
    public void NaNAndNullTextAreReadAsMissingNotDropped()
    {
        var o = RawRecord("A1", labelled: false);
        o[Ccl25Fields.PastHistory] = null;
        o[Ccl25Fields.DischargeOrders] = "__NAN__";
        var json = new JsonArray(o).ToJsonString().Replace("\"__NAN__\"", "NaN");
        Assert.Contains("NaN", json);
        var record = Assert.Single(Ccl25RawFile.Load(TempFile.Write(json)));
        Assert.Equal([Ccl25Fields.PastHistory, Ccl25Fields.DischargeOrders], record.MissingFields);
        Assert.Equal("", record.PastHistory);
        Assert.Equal($"{Ccl25Fields.ChiefComplaint}的内容", record.ChiefComplaint);
    }

    [Fact]
    public void NaNInsideAStringIsLeftAlone() =>
        Assert.Equal("[\"NaN\",null,\"a\\\"NaN\"]", JsonRecordFile.ReplaceBareNaN("[\"NaN\",NaN,\"a\\\"NaN\"]"));

    [Fact]
    public void MalformedJsonNamesFileLineAndPosition()
    {
        var path = TempFile.Write("[\n  {\"病案标识\": \"A1\",\n   \"主诉\": }\n]");
        var e = Assert.Throws<DataFormatException>(() => Ccl25RawFile.Load(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("malformed JSON at line 3", e.Message);
        Assert.Contains("position", e.Message);
    }

    [Fact]
    public void MissingFieldNamesFileRecordIdAndField()
    {
        var bad = RawRecord("A2");
        bad.Remove(Ccl25Fields.AdmissionDiagnosis);
        var path = WriteArray(RawRecord("A1"), bad);
        var e = Assert.Throws<DataFormatException>(() => Ccl25RawFile.Load(path));
        Assert.Equal((path, 1, "A2", Ccl25Fields.AdmissionDiagnosis), (e.File, e.RecordIndex, e.RecordId, e.Field));
        Assert.Contains("record #1 (病案标识=A2), field '入院诊断': missing field", e.Message);
    }

    [Fact]
    public void MistypedFieldIsAnError()
    {
        var bad = RawRecord("A1");
        bad[Ccl25Fields.ChiefComplaint] = 42;
        var e = Assert.Throws<DataFormatException>(() => Ccl25RawFile.Load(WriteArray(bad)));
        Assert.Equal(Ccl25Fields.ChiefComplaint, e.Field);
        Assert.Contains("expected a string, found number 42", e.Message);

        var badId = RawRecord("A1");
        badId[Ccl25Fields.Id] = 7;
        e = Assert.Throws<DataFormatException>(() => Ccl25RawFile.Load(WriteArray(badId)));
        Assert.Equal((0, Ccl25Fields.Id), (e.RecordIndex, e.Field));
    }

    [Fact]
    public void DuplicateIdIsAnError()
    {
        var path = WriteArray(RawRecord("A1"), RawRecord("B1"), RawRecord("A1"));
        var e = Assert.Throws<DataFormatException>(() => Ccl25RawFile.Load(path));
        Assert.Equal((2, "A1"), (e.RecordIndex, e.RecordId));
        Assert.Contains("duplicate id", e.Message);
    }

    [Theory]
    [InlineData(Ccl25Fields.PrimaryCode, "", "empty code")]
    [InlineData(Ccl25Fields.PrimaryCode, "Z99.999", "unknown code \"Z99.999\"")]
    [InlineData(Ccl25Fields.OtherCodes, "I25.103;;E11.900", "empty code")]
    [InlineData(Ccl25Fields.OtherCodes, "I25.103;Q99.000", "unknown code \"Q99.000\"")]
    public void BadCodesAreErrorsNamingTheField(string field, string value, string message)
    {
        var bad = RawRecord("A9");
        bad[field] = value;
        var e = Assert.Throws<DataFormatException>(() => Ccl25RawFile.Load(WriteArray(RawRecord("A1"), bad), Codes()));
        Assert.Equal((1, "A9", field), (e.RecordIndex, e.RecordId, e.Field));
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void RepeatedCodeIsKeptAsWrittenNotDropped()
    {
        var r = RawRecord("A1");
        r[Ccl25Fields.OtherCodes] = "I25.103;I25.103";
        var record = Assert.Single(Ccl25RawFile.Load(WriteArray(r), Codes()));
        Assert.Equal(["I25.103", "I25.103"], record.OtherCodes);
        Assert.Single(record.Labels().OtherSet);
    }

    [Fact]
    public void OneLabelFieldWithoutTheOtherIsAnError()
    {
        var bad = RawRecord("A1");
        bad.Remove(Ccl25Fields.OtherCodes);
        var e = Assert.Throws<DataFormatException>(() => Ccl25RawFile.Load(WriteArray(bad)));
        Assert.Equal(Ccl25Fields.OtherCodes, e.Field);
    }

    [Fact]
    public void LabelsFileReadsLabelsFromAnySchemaAndRequiresThem()
    {
        var labels = Ccl25LabelsFile.Load(WriteArray(RawRecord("A1")));
        Assert.Equal(new CodeAssignment("A1", "I20.000", ["I25.103", "E11.900"]), Assert.Single(labels));
        var e = Assert.Throws<DataFormatException>(() => Ccl25LabelsFile.Load(WriteArray(RawRecord("T1", labelled: false))));
        Assert.Equal(Ccl25Fields.PrimaryCode, e.Field);
    }

    [Fact]
    public void RawAndLabelFilesRoundTrip()
    {
        var sample = SyntheticSample.Generate();
        var path = TempFile.Path();
        Ccl25RawFile.Save(path, sample.TrainRaw);
        Assert.Equal(sample.TrainRaw.Select(r => r.FullText()), Ccl25RawFile.Load(path).Select(r => r.FullText()));
        Assert.Equal(sample.TrainRaw.Select(r => r.Labels()), Ccl25RawFile.Load(path).Select(r => r.Labels()));
        var labelsPath = TempFile.Path();
        Ccl25LabelsFile.Save(labelsPath, sample.TrainLabels);
        Assert.Equal(sample.TrainLabels, Ccl25LabelsFile.Load(labelsPath));
    }

    [Fact]
    public void EntityFileSplitsEntitiesAndRejectsBadViews()
    {
        var good = new JsonObject
        {
            [Ccl25Fields.Id] = "E1",
            [Ccl25Fields.PrimaryEntities] = new JsonArray(new JsonObject { ["疾病"] = "冠心病，高血压", ["症状"] = "胸痛" }),
            [Ccl25Fields.OtherEntities] = new JsonArray(new JsonObject { ["疾病"] = "糖尿病" }),
            [Ccl25Fields.PrimaryCode] = "I20.000",
            [Ccl25Fields.OtherCodes] = "E11.900",
        };
        var record = Assert.Single(Ccl25EntityFile.Load(WriteArray(good), Codes()));
        Assert.Equal(["冠心病", "高血压"], record.PrimaryView[0]["疾病"]);
        Assert.Equal(["冠心病", "高血压", "糖尿病"], record.Entities("疾病"));
        Assert.Contains("症状：胸痛", record.ToText());

        var bad = (JsonObject)good.DeepClone();
        bad[Ccl25Fields.OtherEntities] = "疾病：糖尿病";
        var e = Assert.Throws<DataFormatException>(() => Ccl25EntityFile.Load(WriteArray(bad)));
        Assert.Equal((Ccl25Fields.OtherEntities, "E1"), (e.Field, e.RecordId));

        var unlabelled = Ccl25EntityFile.Load(WriteArray(good), labels: LabelPolicy.Ignore);
        Assert.False(unlabelled[0].HasLabels);
    }

    [Fact]
    public void ChipCdnSplitsTermsAndKeepsBlankLabels()
    {
        var path = TempFile.Write("[{\"text\":\"左膝退变\",\"normalized_result\":\"膝骨关节病##膝关节游离体\"},{\"text\":\"某病\",\"normalized_result\":\"  \"}]");
        var pairs = ChipCdn.Load(path);
        Assert.Equal(["膝骨关节病", "膝关节游离体"], pairs[0].Terms);
        Assert.Empty(pairs[1].Terms);
        var bad = TempFile.Write("[{\"text\":\"左膝\"}]");
        var e = Assert.Throws<DataFormatException>(() => ChipCdn.Load(bad));
        Assert.Equal(("normalized_result", 0), (e.Field, e.RecordIndex));
    }

    [Fact]
    public void MissingFileIsFileNotFound() =>
        Assert.Throws<FileNotFoundException>(() => Ccl25RawFile.Load("/nonexistent/train-raw.json"));
}
