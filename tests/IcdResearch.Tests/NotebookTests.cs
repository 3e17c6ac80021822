using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using IcdResearch.Cli.Figures;
using IcdResearch.Tests.Notebooks;
using Xunit.Abstractions;

namespace IcdResearch.Tests;

/// <summary>Every notebooks/*.ipynb runs top to bottom (Roslyn scripting stands in for the Polyglot C# kernel).</summary>
public class NotebookTests(ITestOutputHelper output) : IDisposable
{
    readonly List<string> _temporary = [];

    public void Dispose()
    {
        foreach (var dir in _temporary) Directory.Delete(dir, recursive: true);
    }

    static string RepositoryRoot([CallerFilePath] string thisFile = "") =>
        ResultsFolder.RepositoryRoot(Path.GetDirectoryName(thisFile)) ?? throw new DirectoryNotFoundException("repository root (IcdResearch.sln) not found");

    public static TheoryData<string> Notebooks()
    {
        var data = new TheoryData<string>();
        foreach (var path in Directory.GetFiles(Path.Combine(RepositoryRoot(), "notebooks"), "*.ipynb").Order(StringComparer.Ordinal))
            data.Add(Path.GetFileName(path));
        return data;
    }

    [Theory]
    [MemberData(nameof(Notebooks))]
    public async Task RunsTopToBottom(string notebook)
    {
        Environment.SetEnvironmentVariable(ResultsFolder.EnvironmentVariable, SmokeResults.Directory);
        output.WriteLine(SmokeResults.Log);
        var run = await new NotebookRunner().RunAsync(Path.Combine(RepositoryRoot(), "notebooks", notebook));

        Assert.Equal(".net-csharp", run.Notebook.KernelSpec);
        Assert.Equal("csharp", run.Notebook.DefaultKernel);
        Assert.True(run.CodeCellsRun >= 2, $"{notebook}: only {run.CodeCellsRun} code cells");
        Assert.Contains(run.Notebook.Cells, c => c.CellType == "markdown");
        Assert.NotEmpty(run.Displayed);
        foreach (var shown in run.Displayed)
            output.WriteLine($"cell [{shown.Cell}] {shown.Type}: {Shorten(shown.Rendered)}");
    }

    static string Shorten(string text) => text.Length <= 160 ? text.Replace('\n', ' ') : text[..160].Replace('\n', ' ') + "…";

    // --- the runner itself -------------------------------------------------------------------------------------------

    string WriteNotebook(params (string Type, string Source)[] cells)
    {
        var nb = new JsonObject
        {
            ["cells"] = new JsonArray(cells.Select(c => (JsonNode)new JsonObject
            {
                ["cell_type"] = c.Type,
                ["metadata"] = new JsonObject { ["polyglot_notebook"] = new JsonObject { ["kernelName"] = "csharp" } },
                ["source"] = new JsonArray(c.Source.Split('\n').Select(l => (JsonNode)JsonValue.Create(l + "\n")!).ToArray()),
            }).ToArray()),
            ["metadata"] = new JsonObject
            {
                ["kernelspec"] = new JsonObject { ["name"] = ".net-csharp" },
                ["polyglot_notebook"] = new JsonObject { ["kernelInfo"] = new JsonObject { ["defaultKernelName"] = "csharp" } },
            },
            ["nbformat"] = 4,
            ["nbformat_minor"] = 5,
        };
        var dir = Directory.CreateTempSubdirectory("icd-nb-").FullName;
        _temporary.Add(dir);
        var path = Path.Combine(dir, "t.ipynb");
        File.WriteAllText(path, nb.ToJsonString());
        return path;
    }

    [Fact]
    public async Task SharesStateAcrossCellsResolvesPackagesAndRecordsDisplays()
    {
        var path = WriteNotebook(
            ("code", "#!csharp\n#r \"nuget: Microsoft.Data.Analysis, 0.23.1\"\nusing Microsoft.Data.Analysis;\nvar xs = new[] { 1, 2, 3 };"),
            ("markdown", "# not code: `this would not compile`"),
            ("code", "#!time\nvar frame = new DataFrame(new Int32DataFrameColumn(\"x\", xs));\ndisplay(frame);\ndisplay(HTML(\"<b>ok</b>\"));\nxs.Sum()"));
        var run = await new NotebookRunner().RunAsync(path);
        Assert.Equal(2, run.CodeCellsRun);
        Assert.Equal(["DataFrame", "HtmlContent", "Int32"], run.Displayed.Select(d => d.Type));
        Assert.All(run.Displayed, d => Assert.Equal(2, d.Cell));
        Assert.Contains("x", run.Displayed[0].Rendered);
        Assert.Equal("6", run.Displayed[2].Rendered); // the trailing expression is displayed, as in the kernel
    }

    [Fact]
    public async Task CompileErrorNamesNotebookAndCell()
    {
        var path = WriteNotebook(("code", "var a = 1;"), ("markdown", "text"), ("code", "var b = a + undefinedName;"));
        var e = await Assert.ThrowsAsync<NotebookCellException>(() => new NotebookRunner().RunAsync(path));
        Assert.Equal(2, e.Cell);
        Assert.StartsWith("t.ipynb, cell [2]: does not compile", e.Message);
        Assert.Contains("undefinedName", e.Message);
    }

    [Fact]
    public async Task RuntimeExceptionNamesNotebookAndCell()
    {
        var path = WriteNotebook(("code", "var a = 1;"), ("code", "throw new InvalidOperationException(\"boom\");"));
        var e = await Assert.ThrowsAsync<NotebookCellException>(() => new NotebookRunner().RunAsync(path));
        Assert.Equal(1, e.Cell);
        Assert.Contains("InvalidOperationException: boom", e.Message);
    }

    [Theory]
    [InlineData("#r \"nuget: Microsoft.Data.Analysis, 0.1.0\"", "references Microsoft.Data.Analysis 0.23.1")]
    [InlineData("#r \"nuget: Not.A.Referenced.Package, 1.0.0\"", "does not reference Not.A.Referenced.Package")]
    [InlineData("#!fsharp\nlet x = 1", "not supported")]
    [InlineData("#r \"../no/such/project/bin/Release/net10.0/Missing.dll\"", "does not exist")]
    public async Task RejectsWhatTheKernelWouldNotRun(string source, string expected)
    {
        var e = await Assert.ThrowsAsync<NotebookCellException>(() => new NotebookRunner().RunAsync(WriteNotebook(("code", source))));
        Assert.Equal(0, e.Cell);
        Assert.Contains(expected, e.Message);
    }
}
