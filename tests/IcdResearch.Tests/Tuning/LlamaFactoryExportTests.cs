using System.Text.Json;
using IcdResearch.Data;
using IcdResearch.Tuning;

namespace IcdResearch.Tests;

public class LlamaFactoryExportTests : IDisposable
{
    readonly string _dir = Path.Combine(Path.GetTempPath(), "icd-lf-" + Guid.NewGuid().ToString("N"));
    public void Dispose() { if (Directory.Exists(_dir)) Directory.Delete(_dir, true); }

    [Fact]
    public void WritesAlpacaRowsAndADatasetInfoEntryThatReadsBack()
    {
        var examples = new[] { new SftExample("入院诊断：高血压\n主诉：头晕", "高血压病"), new SftExample("p2", "a2", System: "你是医生") };
        var path = LlamaFactoryExport.Write(examples, _dir, "ccl25-demo");
        LlamaFactoryExport.Write([new SftExample("x", "y")], _dir, "other");

        using var rows = JsonDocument.Parse(File.ReadAllText(path));
        var first = rows.RootElement[0];
        Assert.Equal("入院诊断：高血压\n主诉：头晕", first.GetProperty("instruction").GetString());
        Assert.Equal("", first.GetProperty("input").GetString());
        Assert.Equal("高血压病", first.GetProperty("output").GetString());
        Assert.Contains("高血压病", File.ReadAllText(path));   // readable UTF-8, not \u escapes

        using var info = JsonDocument.Parse(File.ReadAllText(Path.Combine(_dir, "dataset_info.json")));
        var entry = info.RootElement.GetProperty("ccl25-demo");
        Assert.Equal("ccl25-demo.json", entry.GetProperty("file_name").GetString());
        Assert.Equal("output", entry.GetProperty("columns").GetProperty("response").GetString());
        Assert.True(info.RootElement.TryGetProperty("other", out _), "existing entries are kept");

        Assert.Equal(examples, LlamaFactoryExport.Read(path));
    }

    [Fact]
    public void JoinsInstructionAndInputLikeLlamaFactoryAndLocatesBadRecords()
    {
        Directory.CreateDirectory(_dir);
        var file = Path.Combine(_dir, "d.json");
        File.WriteAllText(file, """[{"instruction": "判断", "input": "头痛三天", "output": "偏头痛"}, {"instruction": "q", "output": "a"}]""");
        var read = LlamaFactoryExport.Read(file);
        Assert.Equal(new SftExample("判断\n头痛三天", "偏头痛"), read[0]);
        Assert.Equal(new SftExample("q", "a"), read[1]);

        File.WriteAllText(file, """[{"instruction": "q", "output": "a"}, {"instruction": "q2"}]""");
        var e = Assert.Throws<DataFormatException>(() => LlamaFactoryExport.Read(file));
        Assert.Equal(1, e.RecordIndex);
        Assert.Equal("output", e.Field);
    }
}
