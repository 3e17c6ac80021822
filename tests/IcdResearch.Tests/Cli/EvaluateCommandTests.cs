using System.Text.Json;
using IcdResearch.Cli;
using IcdResearch.Data;
using IcdResearch.Evaluation;

namespace IcdResearch.Tests;

/// <summary>Runs `icd evaluate` in-process; the class redirects Console, so it is kept out of parallel runs.</summary>
[Collection(ConsoleCollection.Name)]
public class EvaluateCommandTests
{
    static (int Code, string Out, string Err) Run(params string[] args)
    {
        var (oldOut, oldErr) = (Console.Out, Console.Error);
        var (stdout, stderr) = (new StringWriter(), new StringWriter());
        Console.SetOut(stdout);
        Console.SetError(stderr);
        try { return (Program.Main(args), stdout.ToString(), stderr.ToString()); }
        finally { Console.SetOut(oldOut); Console.SetError(oldErr); }
    }

    /// <summary>A code table holding exactly the toy codes of these tests (so the real table under ICD_DATA_DIR is not used).</summary>
    static string Codes()
    {
        var path = TempFile.Path(".tsv");
        new CodeTable(new[] { "A", "B", "C", "w", "x", "y", "z" }.Select(c => (c, $"name of {c}")), path).Save(path);
        return path;
    }

    static string Gold()
    {
        var path = TempFile.Path();
        Ccl25LabelsFile.Save(path, [new("r1", "A", ["x", "y", "z"]), new("r2", "B", ["x"]), new("r3", "A", ["y", "z"])]);
        return path;
    }

    [Fact]
    public void PrintsOneJsonObjectWithTheFormulaValues()
    {
        var pred = TempFile.Path();
        SubmissionFormat.Write(pred, [new("r2", "C", ["x", "y"]), new("r1", "A", ["x", "y", "w"])]);
        var (code, stdout, _) = Run("evaluate", "--gold", Gold(), "--pred", pred, "--resamples", "100", "--codes", Codes());
        Assert.Equal(0, code);
        using var doc = JsonDocument.Parse(stdout);
        Assert.Equal(3, doc.RootElement.GetProperty("n").GetInt32());
        Assert.Equal(1, doc.RootElement.GetProperty("missing").GetInt32());
        Assert.Equal(7.0 / 18, doc.RootElement.GetProperty("acc_f1").GetDouble(), 12);
        Assert.Equal(4.0 / 9, doc.RootElement.GetProperty("acc_recall").GetDouble(), 12);
    }

    [Theory]
    [InlineData("[{\"病案标识\":\"r9\",\"预测结果\":\"[A|x]\"}]", "not in the gold")]
    [InlineData("[{\"病案标识\":\"r1\",\"预测结果\":\"[A|x]\"},{\"病案标识\":\"r1\",\"预测结果\":\"[A|x]\"}]", "duplicate id")]
    [InlineData("[{\"病案标识\":\"r1\",\"预测结果\":\"A|x\"}]", "预测结果")]
    [InlineData("[{\"病案标识\":\"r1\",\"预测结果\":\"[A|x]\"}", "malformed JSON")]
    [InlineData("[{\"病案标识\":\"r1\",\"预测结果\":\"[A|x,y]\"}]", "codes are separated by ';'")]
    [InlineData("[{\"病案标识\":\"r1\",\"预测结果\":\"[A|q]\"}]", "unknown code \"q\"")]
    [InlineData("[{\"病案标识\":\"r1\",\"预测结果\":\"[a|x]\"}]", "wrong case")]
    public void BadPredictionFilesExitWithCodeTwoAndOneErrorLine(string content, string message)
    {
        var (code, stdout, stderr) = Run("evaluate", "--gold", Gold(), "--pred", TempFile.Write(content), "--codes", Codes());
        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        Assert.StartsWith("error: ", stderr);
        Assert.Contains(message, stderr);
    }
}
