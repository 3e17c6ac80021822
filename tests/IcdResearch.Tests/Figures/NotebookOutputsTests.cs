using System.Text.Json.Nodes;
using IcdResearch.Evaluation;
using IcdResearch.Figures;
using IcdResearch.Figures.Notebook;

namespace IcdResearch.Tests;

/// <summary>Reading executed notebooks: errors per cell, kernel progress removed, outputs compared independently of the machine.</summary>
public class NotebookOutputsTests
{
    static JsonObject Notebook(params JsonArray[] outputsPerCell) => new()
    {
        ["cells"] = new JsonArray(outputsPerCell.Select(o => (JsonNode)new JsonObject
        {
            ["cell_type"] = "code",
            ["metadata"] = new JsonObject { ["dotnet_repl_cellExecutionStartTime"] = "2026-11-30T22:38:13Z", ["polyglot_notebook"] = new JsonObject { ["kernelName"] = "csharp" } },
            ["outputs"] = o,
        }).ToArray()),
    };

    static JsonObject Display(string mime, string value) => new() { ["output_type"] = "display_data", ["data"] = new JsonObject { [mime] = value } };

    static JsonArray Outputs(params JsonNode[] outputs) => new(outputs);

    [Fact]
    public void ErrorsNameTheirCell()
    {
        var nb = Notebook(Outputs(Display("text/plain", "ok")),
            Outputs(new JsonObject { ["output_type"] = "error", ["ename"] = "Error", ["evalue"] = "(1,1): error CS0103: The name 'Path' does not exist" }));
        var error = Assert.Single(NotebookOutputs.Errors(nb));
        Assert.Equal(1, error.Cell);
        Assert.Contains("'Path'", error.Message);
    }

    [Fact]
    public void CleanDropsKernelProgressAndExecutionTimesButKeepsWhatCellsShow()
    {
        var nb = Notebook(Outputs(
            Display("text/html", "<div><strong>Installed Packages</strong><ul><li>Microsoft.Data.Analysis, 0.23.1</li></ul></div>"),
            Display("text/plain", "Loading extensions from `/root/.nuget/packages/x.dll`"),
            Display("text/plain", "reading results")));
        NotebookOutputs.Clean(nb);
        var cell = nb["cells"]![0]!;
        Assert.Equal("reading results", (string?)Assert.Single(cell["outputs"]!.AsArray())!["data"]!["text/plain"]);
        Assert.Null(cell["metadata"]!["dotnet_repl_cellExecutionStartTime"]);
        Assert.NotNull(cell["metadata"]!["polyglot_notebook"]);
    }

    [Fact]
    public void ComparableOutputsIgnoreTableIdsAndPngBytesButNotContent()
    {
        // A DataFrame of more than 25 rows renders a pager whose element id is random per run (page_N), like the table's.
        JsonObject Run(string tableId, string png, string fingerprint, string value) => Notebook(Outputs(
            Display("text/html", $"<table id=\"{tableId}\"><tr><td>{value}</td></tr><tfoot><b id=\"page_{tableId.GetHashCode() & 0xffff}\">1</b>" +
                $"<button onclick=\"document.querySelector('#page_{tableId.GetHashCode() & 0xffff}').innerHTML = 2\">▶️</button></tfoot></table>"),
            new JsonObject { ["output_type"] = "display_data", ["data"] = new JsonObject { ["image/png"] = png, ["text/plain"] = $"chart: Figure 4 [{fingerprint}]" } }));
        var saved = NotebookOutputs.Comparable(Run("table_639316740623176323", "iVBORw0KGgoAAA", "fd288feb1dfaf219", "0.412"));
        Assert.Equal(saved, NotebookOutputs.Comparable(Run("table_639316755754130639", "iVBORw0KGgoBBB", "fd288feb1dfaf219", "0.412")));
        Assert.NotEqual(saved, NotebookOutputs.Comparable(Run("table_1", "iVBORw0KGgoAAA", "0000000000000000", "0.412")));
        Assert.NotEqual(saved, NotebookOutputs.Comparable(Run("table_1", "iVBORw0KGgoAAA", "fd288feb1dfaf219", "0.439")));
    }

    [Fact]
    public void ChartsAndTablesAreRecognised()
    {
        Assert.True(NotebookOutputs.IsChart(Display("image/png", "iVBORw0KGgo")));
        Assert.True(NotebookOutputs.IsChart(Display("text/html", "<div id=\"x\"></div><script>Plotly.newPlot('x', data)</script>")));
        Assert.False(NotebookOutputs.IsChart(Display("text/plain", "fig4-primary-arms: waiting for primary.csv")));
        Assert.True(NotebookOutputs.IsTable(Display("text/html", "<table id=\"table_1\"><thead>")));
        Assert.False(NotebookOutputs.IsTable(Display("text/html", "<details class=\"dni-treeview\">")));
    }

    [Fact]
    public void ChartFingerprintFollowsTheDataNotTheRun()
    {
        static ResultRow Row(double value) => new() { Experiment = "primary", Arm = "baseline", Split = "test", N = 48, Metric = "primary_accuracy", Value = value };
        var a = ChartDisplay.Fingerprint(ResultCharts.GroupedBars([Row(0.5)], r => r.Arm, r => r.Split, "Figure 4", "accuracy"));
        Assert.Equal(a, ChartDisplay.Fingerprint(ResultCharts.GroupedBars([Row(0.5)], r => r.Arm, r => r.Split, "Figure 4", "accuracy")));
        Assert.NotEqual(a, ChartDisplay.Fingerprint(ResultCharts.GroupedBars([Row(0.6)], r => r.Arm, r => r.Split, "Figure 4", "accuracy")));
        Assert.StartsWith("chart: Figure 4", ChartDisplay.Describe(ResultCharts.GroupedBars([Row(0.5)], r => r.Arm, r => r.Split, "Figure 4", "accuracy")));
    }
}
