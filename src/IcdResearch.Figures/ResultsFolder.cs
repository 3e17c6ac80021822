using System.Globalization;
using System.Text.Json;
using CsvHelper;
using CsvHelper.Configuration;
using IcdResearch.Data;
using IcdResearch.Evaluation;

namespace IcdResearch.Figures;

/// <summary>
/// The results/ folder that `icd reproduce` writes and that notebooks, `icd figures` and paper-repro.md read:
/// ResultRow CSVs (primary.csv, ner.csv, other.csv, overall.csv, baselines.csv, ccl_*.csv), per-case files
/// (primary_cases.csv) and summary.json. A missing file reads as empty so a figure can say what it is waiting for.
/// </summary>
public sealed class ResultsFolder
{
    /// <summary>Environment variable that overrides where notebooks look for results (the notebook test sets it).</summary>
    public const string EnvironmentVariable = "ICD_RESULTS_DIR";

    public string Directory { get; }

    public ResultsFolder(string directory) => Directory = Path.GetFullPath(directory);

    /// <summary>`$ICD_RESULTS_DIR`, else `results/` at the repository root found by walking up from the working
    /// directory (so `notebooks/` and `tests/.../bin/` both find it), else `./results`.</summary>
    public static ResultsFolder Default()
    {
        var env = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(env)) return new ResultsFolder(env);
        var root = RepositoryRoot();
        return new ResultsFolder(root is null ? "results" : Path.Combine(root, "results"));
    }

    /// <summary>The folder holding IcdResearch.sln, searching upwards from <paramref name="start"/> (default: working directory).</summary>
    public static string? RepositoryRoot(string? start = null) => DataDirectory.RepositoryRoot(start ?? Environment.CurrentDirectory);

    /// <summary>The folder relative to the repository root when inside it (so saved notebook outputs do not depend on
    /// where the repository was cloned), else its full path.</summary>
    public override string ToString() =>
        RepositoryRoot(Directory) is { } root ? Path.GetRelativePath(root, Directory) : Directory;

    public string PathOf(string file) => Path.Combine(Directory, file);

    /// <summary>A results folder inside this one (results/study/, results/curves/NAME/).</summary>
    public ResultsFolder Sub(string name) => new(PathOf(name));

    public bool Has(string file) => File.Exists(PathOf(file));

    /// <summary>All rows of results/<paramref name="file"/>; empty when the file does not exist yet.</summary>
    public IReadOnlyList<ResultRow> Rows(string file) => Has(file) ? ResultsTable.Read(PathOf(file)) : [];

    /// <summary>Per-case token confidence and correctness (results/primary_cases.csv); empty when absent.</summary>
    public IReadOnlyList<CaseConfidence> Cases(string file = "primary_cases.csv")
    {
        if (!Has(file)) return [];
        using var reader = new StringReader(IcdResearch.IO.InputText.ReadAllText(PathOf(file)));
        using var csv = new CsvReader(reader, new CsvConfiguration(CultureInfo.InvariantCulture)
        {
            PrepareHeaderForMatch = a => a.Header.ToLowerInvariant(),
            HeaderValidated = null,
            MissingFieldFound = null,
        });
        return csv.GetRecords<CaseConfidenceCsv>()
            .Select((c, i) => new CaseConfidence(c.Id ?? $"#{i}", c.Arm ?? "baseline", c.Split ?? "test", c.Confidence,
                c.Correct switch { "1" or "true" or "True" => true, "0" or "false" or "False" => false,
                    _ => throw new InvalidDataException($"{PathOf(file)}: row {i + 1}: `correct` must be 0/1 or true/false, got '{c.Correct}'.") }))
            .ToList();
    }

    /// <summary>results/summary.json, or null when absent.</summary>
    public JsonDocument? Summary(string file = "summary.json") => Has(file) ? JsonDocument.Parse(IO.InputText.ReadAllText(PathOf(file))) : null;

    sealed class CaseConfidenceCsv
    {
        public string? Id { get; set; }
        public string? Arm { get; set; }
        public string? Split { get; set; }
        public double Confidence { get; set; }
        public string? Correct { get; set; }
    }
}

/// <summary>One test case's primary-diagnosis confidence (Lv et al. §3.1, Eq. 2: mean generated-token probability)
/// and whether the prediction was correct; the input of the reliability diagram.</summary>
public sealed record CaseConfidence(string Id, string Arm, string Split, double Confidence, bool Correct);
