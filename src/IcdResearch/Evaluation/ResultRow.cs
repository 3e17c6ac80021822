using System.Globalization;
using CsvHelper;
using CsvHelper.Configuration;

namespace IcdResearch.Evaluation;

/// <summary>
/// One line of a results/*.csv file: an experiment arm's metric on a split with its 95% CI and, for ablation
/// deltas, the p-value of a paired test against the baseline arm. Notebooks and paper-repro.md read these.
/// </summary>
public sealed record ResultRow
{
    public required string Experiment { get; init; }
    public required string Arm { get; init; }
    public required string Split { get; init; }
    public required int N { get; init; }
    public required string Metric { get; init; }
    public required double Value { get; init; }
    public double CiLow { get; init; } = double.NaN;
    public double CiHigh { get; init; } = double.NaN;
    public double? PValue { get; init; }
    public string? Note { get; init; }
}

/// <summary>Reads and writes results/*.csv (CsvHelper, invariant culture, snake_case headers).</summary>
public static class ResultsTable
{
    sealed class RowMap : ClassMap<ResultRow>
    {
        public RowMap()
        {
            Map(r => r.Experiment).Name("experiment");
            Map(r => r.Arm).Name("arm");
            Map(r => r.Split).Name("split");
            Map(r => r.N).Name("n");
            Map(r => r.Metric).Name("metric");
            Map(r => r.Value).Name("value");
            Map(r => r.CiLow).Name("ci_low");
            Map(r => r.CiHigh).Name("ci_high");
            Map(r => r.PValue).Name("p_value");
            Map(r => r.Note).Name("note").TypeConverterOption.NullValues(string.Empty);
        }
    }

    public static void Write(string path, IEnumerable<ResultRow> rows)
    {
        IO.AtomicFile.WriteText(path, writer =>
        {
            using var csv = new CsvWriter(writer, CultureInfo.InvariantCulture, leaveOpen: true);
            csv.Context.RegisterClassMap<RowMap>();
            csv.WriteRecords(rows);
        });
    }

    public static List<ResultRow> Read(string path)
    {
        using var reader = new StringReader(IO.InputText.ReadAllText(path));
        using var csv = new CsvReader(reader, CultureInfo.InvariantCulture);
        csv.Context.RegisterClassMap<RowMap>();
        return csv.GetRecords<ResultRow>().ToList();
    }
}
