using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using IcdResearch.Data;
using IcdResearch.Figures.Notebook;
using IcdResearch.Tests.Notebooks;
using Xunit.Abstractions;

namespace IcdResearch.Tests;

/// <summary>
/// Every notebooks/*.ipynb runs top to bottom in the real .NET Interactive kernel, out of process (dotnet-repl from
/// .config/dotnet-tools.json: the kernel assemblies Polyglot Notebooks runs, with their own FSharp.Core). 01–06 run
/// against the committed results/ (a copy of the files git tracks, <see cref="CommittedResults"/>; their outputs must
/// equal the saved ones) and against freshly made smoke results;
/// 00-walkthrough runs from an empty models folder, training its tiny models as on a fresh clone.
/// </summary>
public class NotebookTests(ITestOutputHelper output)
{
    static readonly TimeSpan Timeout = TimeSpan.FromMinutes(30);
    const long MaxSavedBytes = 2_000_000;

    static string RepositoryRoot([CallerFilePath] string thisFile = "") =>
        DataDirectory.RepositoryRoot(Path.GetDirectoryName(thisFile)!) ?? throw new DirectoryNotFoundException("repository root (IcdResearch.sln) not found");

    static string NotebookPath(string name) => Path.Combine(RepositoryRoot(), "notebooks", name);

    static JsonObject Saved(string name) => JsonNode.Parse(File.ReadAllText(NotebookPath(name)))!.AsObject();

    public static TheoryData<string> AllNotebooks() => Notebooks(_ => true);

    /// <summary>The notebooks of results/ and the data (the walkthrough, 00, trains models and reads no results).</summary>
    public static TheoryData<string> ResultNotebooks() => Notebooks(n => !n.StartsWith("00-", StringComparison.Ordinal));

    static TheoryData<string> Notebooks(Func<string, bool> keep)
    {
        var data = new TheoryData<string>();
        foreach (var path in Directory.GetFiles(Path.Combine(RepositoryRoot(), "notebooks"), "*.ipynb").Order(StringComparer.Ordinal))
            if (keep(Path.GetFileName(path))) data.Add(Path.GetFileName(path));
        return data;
    }

    /// <summary>The committed results the notebooks read by default (results/*.csv of the reported run).</summary>
    static bool HasCommittedResults => Directory.Exists(Path.Combine(RepositoryRoot(), "results"))
        && Directory.GetFiles(Path.Combine(RepositoryRoot(), "results"), "*.csv").Length > 0;

    [Theory]
    [MemberData(nameof(AllNotebooks))]
    public void IsSavedWithItsOutputs(string notebook)
    {
        var saved = Saved(notebook);
        Assert.True(new FileInfo(NotebookPath(notebook)).Length < MaxSavedBytes, $"{notebook} is {new FileInfo(NotebookPath(notebook)).Length / 1024} KiB (limit {MaxSavedBytes / 1000} kB)");
        Assert.Equal(".net-csharp", (string?)saved["metadata"]?["kernelspec"]?["name"]);
        var displaying = saved["cells"]!.AsArray().Select((c, i) => (Cell: c!, Index: i))
            .Where(c => (string?)c.Cell["cell_type"] == "code" && c.Cell["source"]!.ToJsonString().Contains("display(")).ToList();
        Assert.NotEmpty(displaying);
        foreach (var (cell, index) in displaying)
            Assert.True(cell["outputs"] is JsonArray { Count: > 0 }, $"{notebook}, cell [{index}] displays something but is saved without outputs (`icd notebooks --execute`)");
        Assert.Empty(NotebookOutputs.Errors(saved));
        Assert.Equal(saved.ToJsonString(), NotebookOutputs.Clean(saved.DeepClone().AsObject()).ToJsonString()); // no kernel progress saved
        if (notebook.StartsWith("00-", StringComparison.Ordinal) || HasCommittedResults)
            Assert.Contains(NotebookOutputs.All(saved), o => NotebookOutputs.IsChart(o.Output));
    }

    /// <summary>Committed outputs are made with the real data (as CI has it: 01 shows it), so the comparison needs it.</summary>
    [RequiresDataTheory]
    [MemberData(nameof(ResultNotebooks))]
    public void RunsAgainstTheCommittedResultsAndMatchesItsSavedOutputs(string notebook)
    {
        var run = Execute(notebook, CommittedResults.Directory(RepositoryRoot()), new Dictionary<string, string?> { [DataDirectory.EnvironmentVariable] = TestData.Dir },
            requireFigures: HasCommittedResults || notebook.StartsWith("01-", StringComparison.Ordinal));
        var saved = NotebookOutputs.Comparable(Saved(notebook));
        var fresh = NotebookOutputs.Comparable(run.Document);
        Assert.Equal(saved.Count, fresh.Count);
        for (var cell = 0; cell < saved.Count; cell++)
            Assert.True(saved[cell] == fresh[cell],
                $"{notebook}, cell [{cell}]: the saved output is stale (regenerate: `icd notebooks --execute --only {notebook}`).\nsaved:\n{saved[cell]}\nnow:\n{fresh[cell]}");
    }

    [Theory]
    [MemberData(nameof(ResultNotebooks))]
    public void RunsAgainstFreshSmokeResults(string notebook)
    {
        output.WriteLine(SmokeResults.Log);
        Execute(notebook, SmokeResults.Directory, null, requireFigures: true);
    }

    [Fact]
    public void WalkthroughTrainsItsModelsAndRunsTopToBottom()
    {
        var models = Directory.CreateTempSubdirectory("icd-walkthrough-models-").FullName;
        try
        {
            var run = Execute("00-walkthrough.ipynb", null, new Dictionary<string, string?> { ["ICD_WALKTHROUGH_MODELS"] = models }, requireFigures: true);
            Assert.Contains(NotebookOutputs.All(run.Document), o => o.Output.ToJsonString().Contains("trained the five tiny models in"));
            Assert.Contains(NotebookOutputs.All(run.Document), o => o.Output.ToJsonString().Contains("submission: ["));
            Assert.True(NotebookOutputs.All(run.Document).Count(o => NotebookOutputs.IsChart(o.Output)) >= 2, "00-walkthrough: token-probability and vote charts expected");
        }
        finally
        {
            Directory.Delete(models, recursive: true);
        }
    }

    /// <summary>Runs the notebook in the kernel and checks it: no error output, DataFrames never as object trees, and
    /// (<paramref name="requireFigures"/>: when it has results to show) at least one chart and one table.</summary>
    ExecutedNotebook Execute(string notebook, string? resultsDirectory, IReadOnlyDictionary<string, string?>? environment, bool requireFigures)
    {
        KernelBuild.EnsureNotebooksSeeThisBuild(RepositoryRoot());
        NotebookExecution.RestoreTools(RepositoryRoot());
        var run = NotebookExecution.Run(NotebookPath(notebook), resultsDirectory, Timeout, environment);
        output.WriteLine($"{notebook} against {resultsDirectory ?? "the committed results/"}: {run.Elapsed.TotalSeconds:0} s, {run.Charts} charts, {run.Tables} tables");
        Assert.True(run.Errors.Count == 0, string.Join("\n", run.Errors.Select(e => $"{notebook}, cell [{e.Cell}]: {e.Name}: {e.Message}")));
        if (requireFigures) Assert.True(run.Charts >= 1, $"{notebook}: no chart displayed");
        if (requireFigures) Assert.True(run.Tables >= 1, $"{notebook}: no DataFrame displayed as an HTML table (is the Microsoft.Data.Analysis kernel extension loaded?)");
        var treeViews = NotebookOutputs.All(run.Document).Where(o => o.Output.ToJsonString().Contains("Microsoft.Data.Analysis.DataFrame")).Select(o => o.Cell).ToList();
        Assert.True(treeViews.Count == 0, $"{notebook}, cell [{string.Join(", ", treeViews)}]: a DataFrame displayed as an object tree, not a table");
        return run;
    }
}
