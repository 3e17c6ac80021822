using IcdResearch.Evaluation;
using IcdResearch.Pipelines.Study;
using Microsoft.Data.Analysis;

namespace IcdResearch.Figures.Notebook;

/// <summary>
/// Result rows (the results/*.csv schema) as a DataFrame, which a notebook displays as a table, with the paper's value
/// beside ours where a paper reports that arm and metric (<see cref="PaperReported"/>: `paper` on the same rate scale as
/// `value`, `paper_printed` the number as printed and where).
/// </summary>
public static class ResultFrame
{
    public static DataFrame Of(IEnumerable<ResultRow> rows)
    {
        var r = rows.ToList();
        var paper = r.Select(x => PaperReported.For(PaperReported.All, x.Arm, SeedStudy.NormalizeSplit(x.Split), x.Metric)).ToList();
        return new DataFrame(
            new StringDataFrameColumn("experiment", r.Select(x => x.Experiment)), new StringDataFrameColumn("arm", r.Select(x => x.Arm)),
            new StringDataFrameColumn("split", r.Select(x => x.Split)), new Int32DataFrameColumn("n", r.Select(x => x.N)),
            new StringDataFrameColumn("metric", r.Select(x => x.Metric)), new DoubleDataFrameColumn("value", r.Select(x => x.Value)),
            new DoubleDataFrameColumn("ci_low", r.Select(x => x.CiLow)), new DoubleDataFrameColumn("ci_high", r.Select(x => x.CiHigh)),
            new DoubleDataFrameColumn("p_value", r.Select(x => x.PValue)),
            new DoubleDataFrameColumn("paper", paper.Select(p => p?.Rate)),
            new StringDataFrameColumn("paper_printed", paper.Select(p => p is null ? "" : Printed(p))),
            new StringDataFrameColumn("note", r.Select(x => x.Note ?? "")));
    }

    static string Printed(PaperValue p) => System.FormattableString.Invariant($"paper {p.Paper}, {p.Source}: {p.Printed} ({p.Scale.Describe()})");

    /// <summary>Curve points (<see cref="CurveResults"/>): where each sits and System A's and tfidf-lr's test scores there.</summary>
    public static DataFrame Of(IEnumerable<CurvePointResult> points)
    {
        var p = points.ToList();
        DoubleDataFrameColumn Score(string name, Func<CurvePointResult, ResultRow?> row) => new(name, p.Select(x => row(x)?.Value));
        return new DataFrame(
            new StringDataFrameColumn("folder", p.Select(x => x.Folder)), new StringDataFrameColumn("backbone", p.Select(x => x.Point.BackboneSize)),
            new Int64DataFrameColumn("parameters", p.Select(x => x.Point.BackboneParameters)), new Int32DataFrameColumn("entity_records", p.Select(x => x.Point.EntityRecords)),
            new Int32DataFrameColumn("n_test", p.Select(x => x.PrimaryAccuracy?.N)),
            Score("primary_accuracy", x => x.PrimaryAccuracy),
            new DoubleDataFrameColumn("primary_ci_low", p.Select(x => x.PrimaryAccuracy?.CiLow)), new DoubleDataFrameColumn("primary_ci_high", p.Select(x => x.PrimaryAccuracy?.CiHigh)),
            Score("other_f1", x => x.OtherF1), Score("acc_f1", x => x.AccF1),
            Score("tfidf_lr_primary_accuracy", x => x.TfidfPrimaryAccuracy), Score("tfidf_lr_other_f1", x => x.TfidfOtherF1));
    }
}
