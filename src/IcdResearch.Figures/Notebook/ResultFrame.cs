using IcdResearch.Evaluation;
using Microsoft.Data.Analysis;

namespace IcdResearch.Figures.Notebook;

/// <summary>Result rows (the results/*.csv schema) as a DataFrame, which a notebook displays as a table.</summary>
public static class ResultFrame
{
    public static DataFrame Of(IEnumerable<ResultRow> rows)
    {
        var r = rows.ToList();
        return new DataFrame(
            new StringDataFrameColumn("experiment", r.Select(x => x.Experiment)), new StringDataFrameColumn("arm", r.Select(x => x.Arm)),
            new StringDataFrameColumn("split", r.Select(x => x.Split)), new Int32DataFrameColumn("n", r.Select(x => x.N)),
            new StringDataFrameColumn("metric", r.Select(x => x.Metric)), new DoubleDataFrameColumn("value", r.Select(x => x.Value)),
            new DoubleDataFrameColumn("ci_low", r.Select(x => x.CiLow)), new DoubleDataFrameColumn("ci_high", r.Select(x => x.CiHigh)),
            new DoubleDataFrameColumn("p_value", r.Select(x => x.PValue)), new StringDataFrameColumn("note", r.Select(x => x.Note ?? "")));
    }
}
