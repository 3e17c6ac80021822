using System.Text;
using IcdResearch.Data;
using IcdResearch.Evaluation;

namespace IcdResearch.Tests.Reliability;

/// <summary>
/// Issue 12, class "bad input": strict UTF-8 everywhere (the error names file and byte offset), predictions and gold
/// checked against the code table (unknown code, wrong case, wrong separator), no fake records, no silent switch to
/// the synthetic sample, long fields cut in messages. Each case: non-zero exit, the location in the message, and no
/// output file changed or created.
/// </summary>
[Collection(ConsoleCollection.Name)]
public class InputTests : IDisposable
{
    readonly string _dir = TempFile.Dir();
    public void Dispose() { if (Directory.Exists(_dir)) Directory.Delete(_dir, true); }

    string Write(string name, string text) => Write(name, Encoding.UTF8.GetBytes(text));

    string Write(string name, byte[] bytes)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    /// <summary>A code table with the toy codes used below.</summary>
    string Codes()
    {
        var path = Path.Combine(_dir, "codes.tsv");
        new CodeTable(new[] { "I10.x00x032", "I20.000", "E11.900", "I48.x01" }.Select(c => (c, $"name of {c}")), path).Save(path);
        return path;
    }

    string Gold() => Write("gold.json", """[{"病案标识": "r1", "主要诊断编码": "I20.000", "其他诊断编码": "I10.x00x032;E11.900"}]""");

    [Fact]
    public void InvalidUtf8InAGoldFileIsAnErrorNamingTheFileAndByteOffset()
    {
        var prefix = Encoding.UTF8.GetBytes("""[{"病案标识": "r1", "主要诊断编码": "I20.000", "其他诊断编码": "I10.x00x0""");
        var gold = Write("gold-bad.json", [.. prefix, 0xFF, 0xFE, .. Encoding.UTF8.GetBytes("32\"}]")]);
        var pred = Write("pred.json", """[{"病案标识": "r1", "预测结果": "[I20.000|I10.x00x032]"}]""");
        Cli.Run("evaluate", "--gold", gold, "--pred", pred, "--codes", Codes())
            .Fails(2, gold, $"invalid UTF-8 at byte offset {prefix.Length}", "0xFF");
    }

    [Fact]
    public void InvalidUtf8InPredictInputFailsAndWritesNothing()
    {
        var input = Write("records.json", [.. Encoding.UTF8.GetBytes("""[{"病案标识": "A1", "主诉": "胸"""), 0xC3, 0x28, .. Encoding.UTF8.GetBytes("\"}]")]);
        var before = FolderState.Of(_dir);
        Cli.Run("predict", "--models", Path.Combine(_dir, "models"), "--input", input, "--out", Path.Combine(_dir, "pred.json"))
            .Fails(2, input, "invalid UTF-8 at byte offset");
        before.AssertSame(_dir);
    }

    [Theory]
    [InlineData("[I20.000|I10.x00x032,E11.900]", "contains ','", "codes are separated by ';'")]
    [InlineData("[I20.000|I10.x00x032、E11.900]", "contains '、'", "codes are separated by ';'")]
    [InlineData("[I20.000|I99.999]", "unknown code \"I99.999\"", "not among the 4 codes")]
    [InlineData("[i20.000|I10.x00x032]", "wrong case", "has \"I20.000\"")]
    public void PredictionsAreCheckedAgainstTheCodeTable(string prediction, string problem, string detail)
    {
        var pred = Write("pred.json", $$"""[{"病案标识": "r1", "预测结果": "{{prediction}}"}]""");
        Cli.Run("evaluate", "--gold", Gold(), "--pred", pred, "--codes", Codes())
            .Fails(2, pred, "record #0", "(病案标识=r1)", $"field '{SubmissionFormat.PredictionField}'", problem, detail);
    }

    [Fact]
    public void AGoldCodeInTheWrongCaseIsALocatedError()
    {
        var gold = Write("gold-case.json", """[{"病案标识": "r1", "主要诊断编码": "I20.000", "其他诊断编码": "i10.x00x032"}]""");
        var pred = Write("pred.json", """[{"病案标识": "r1", "预测结果": "[I20.000|]"}]""");
        Cli.Run("evaluate", "--gold", gold, "--pred", pred, "--codes", Codes())
            .Fails(2, gold, "record #0", $"field '{Ccl25Fields.OtherCodes}'", "wrong case");
    }

    [Fact]
    public void ARecordsObjectAsPredictInputIsAnErrorNotOneFakeRecord()
    {
        var input = Write("records.json", """{"records": [{"病案标识": "A1", "主诉": "胸痛"}]}""");
        var before = FolderState.Of(_dir);
        Cli.Run("predict", "--models", Path.Combine(_dir, "models"), "--input", input, "--out", Path.Combine(_dir, "pred.json"))
            .Fails(2, input, "expected a JSON array of records", "\"records\"");
        before.AssertSame(_dir);
    }

    [Fact]
    public void AMistypedDataFolderIsAnErrorNotASwitchToTheSyntheticSample()
    {
        var typo = Path.Combine(_dir, "shared", "dta");
        var split = Path.Combine(_dir, "split.json");
        var before = FolderState.Of(_dir);
        var result = Cli.Run("split", "--data", typo, "--out", split).Fails(2, typo, "does not exist");
        Assert.DoesNotContain("SYNTHETIC", result.Err);
        Directory.CreateDirectory(typo);
        Cli.Run("split", "--data", typo, "--out", split).Fails(2, typo, "holds no ccl25/train-raw.json");
        Directory.Delete(typo);
        before.AssertSame(_dir);
    }

    [Fact]
    public void AMegabyteFieldIsCutInTheMessage()
    {
        var huge = new string('A', 1_000_000);
        var pred = Write("pred.json", $$"""[{"病案标识": "r1", "预测结果": "{{huge}}"}]""");
        var result = Cli.Run("evaluate", "--gold", Gold(), "--pred", pred, "--codes", Codes()).Fails(2, pred, "record #0", "more characters");
        Assert.True(result.Err.Length < 3000, $"stderr has {result.Err.Length} characters");
    }

    [Fact]
    public void AnEmptyTrainingArrayIsALocatedErrorAndLeavesNoFile()
    {
        var empty = Write("train.json", "[]");
        var input = Write("input.json", """[{"病案标识": "A1", "主诉": "胸痛"}]""");
        var before = FolderState.Of(_dir);
        Cli.Run("baseline", "--method", "tfidf-lr", "--train", empty, "--input", input, "--out", Path.Combine(_dir, "out.json"))
            .Fails(2, empty, "holds no records");
        Cli.Run("finetune", "--model", Path.Combine(_dir, "model"), "--train", empty, "--out", Path.Combine(_dir, "ft"))
            .Fails(2, empty, "holds no examples");
        before.AssertSame(_dir);
    }

    [Fact]
    public void ATruncatedCodeTableIsBlamedOnTheCodeTable()
    {
        var data = Path.Combine(_dir, "data");
        SyntheticSample.Write(data);
        var table = Path.Combine(data, "codes", "dccnce-2.0.tsv");
        var bytes = File.ReadAllBytes(table);
        File.WriteAllBytes(table, bytes[..(bytes.Length * 2 / 3)]);   // cut mid-file, as an interrupted copy does
        var split = Path.Combine(_dir, "split.json");
        Cli.Run("split", "--data", data, "--out", split).Fails(2, table);
        Assert.False(File.Exists(split));
    }
}
