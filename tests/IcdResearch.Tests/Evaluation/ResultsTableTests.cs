using IcdResearch.Evaluation;

namespace IcdResearch.Tests;

public class ResultsTableTests
{
    [Fact]
    public void RoundTripsRowsIncludingMissingPValues()
    {
        var path = Path.Combine(Path.GetTempPath(), $"icd-results-{Guid.NewGuid():N}.csv");
        var rows = new[]
        {
            new ResultRow { Experiment = "primary", Arm = "baseline", Split = "test", N = 32, Metric = "primary_accuracy", Value = 0.75, CiLow = 0.6, CiHigh = 0.9 },
            new ResultRow { Experiment = "primary", Arm = "conf+retr", Split = "test", N = 32, Metric = "primary_accuracy", Value = 0.8, CiLow = 0.65, CiHigh = 0.93, PValue = 0.04, Note = "a, b" },
        };
        ResultsTable.Write(path, rows);
        var back = ResultsTable.Read(path);
        Assert.Equal(rows, back);
        Assert.StartsWith("experiment,arm,split,n,metric,value,ci_low,ci_high,p_value,note", File.ReadAllLines(path)[0]);
        File.Delete(path);
    }
}
