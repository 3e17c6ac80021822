using IcdResearch.Data;
using IcdResearch.Evaluation;

namespace IcdResearch.Tests;

public class SubmissionFormatTests
{
    [Theory]
    [InlineData("[I20.000|I25.103;E11.900]", "I20.000", new[] { "I25.103", "E11.900" })]
    [InlineData(" [ I20.000 | I25.103 ；E11.900 ] ", "I20.000", new[] { "I25.103", "E11.900" })]
    [InlineData("[I20.000|]", "I20.000", new string[0])]
    public void ParsesWellFormedPredictions(string text, string primary, string[] others)
    {
        var (p, o) = SubmissionFormat.Parse(text);
        Assert.Equal(primary, p);
        Assert.Equal(others, o);
    }

    [Theory]
    [InlineData("I20.000|I25.103", "brackets")]
    [InlineData("[I20.000]", "exactly one '|'")]
    [InlineData("[I20.000|I25.103|E11.900]", "exactly one '|'")]
    [InlineData("[|I25.103]", "empty primary")]
    [InlineData("[I20.000;I21.401|I25.103]", "exactly one primary")]
    [InlineData("[I20.000|I25.103;;E11.900]", "empty code")]
    [InlineData("[[I20.000|I25.103]]", "nested")]
    [InlineData("", "brackets")]
    public void MalformedPredictionsSayWhatIsWrong(string text, string message) =>
        Assert.Contains(message, Assert.Throws<FormatException>(() => SubmissionFormat.Parse(text)).Message);

    [Fact]
    public void WriteThenReadRoundTrips()
    {
        var predictions = new List<CodeAssignment> { new("a", "I20.000", ["I25.103", "E11.900"]), new("b", "I21.401", []) };
        var path = TempFile.Path();
        SubmissionFormat.Write(path, predictions);
        Assert.Contains("\"预测结果\": \"[I20.000|I25.103;E11.900]\"", File.ReadAllText(path));
        Assert.Equal(predictions, SubmissionFormat.Read(path));
    }

    [Fact]
    public void FileErrorsNameTheRecordAndField()
    {
        var path = TempFile.Write("[{\"病案标识\":\"a\",\"预测结果\":\"[I20.000|]\"},{\"病案标识\":\"b\",\"预测结果\":\"I20.000\"}]");
        var e = Assert.Throws<DataFormatException>(() => SubmissionFormat.Read(path));
        Assert.Equal((path, 1, "b", SubmissionFormat.PredictionField), (e.File, e.RecordIndex, e.RecordId, e.Field));

        var dup = TempFile.Write("[{\"病案标识\":\"a\",\"预测结果\":\"[I20.000|]\"},{\"病案标识\":\"a\",\"预测结果\":\"[I20.000|]\"}]");
        Assert.Contains("duplicate id", Assert.Throws<DataFormatException>(() => SubmissionFormat.Read(dup)).Message);

        var missing = TempFile.Write("[{\"病案标识\":\"a\"}]");
        Assert.Equal(SubmissionFormat.PredictionField, Assert.Throws<DataFormatException>(() => SubmissionFormat.Read(missing)).Field);

        var mistyped = TempFile.Write("[{\"病案标识\":\"a\",\"预测结果\":[\"I20.000\"]}]");
        Assert.Contains("expected a string", Assert.Throws<DataFormatException>(() => SubmissionFormat.Read(mistyped)).Message);
    }
}
