using System.Diagnostics;
using System.Text.Json.Nodes;

namespace IcdResearch.Figures.Notebook;

/// <summary>An error output of one cell (cell = index in the .ipynb, markdown cells counted).</summary>
public sealed record NotebookCellError(int Cell, string Name, string Message);

/// <summary>A notebook after a run in the kernel: the document with its outputs, and what it showed.</summary>
public sealed record ExecutedNotebook(string Name, JsonObject Document, TimeSpan Elapsed)
{
    public IReadOnlyList<NotebookCellError> Errors => NotebookOutputs.Errors(Document);

    /// <summary>Outputs that show a chart: a PNG from <see cref="ChartDisplay"/>, or Plotly HTML when Chromium is absent.</summary>
    public int Charts => NotebookOutputs.All(Document).Count(o => NotebookOutputs.IsChart(o.Output));

    /// <summary>Outputs that show a DataFrame as an HTML table (Microsoft.Data.Analysis's kernel extension).</summary>
    public int Tables => NotebookOutputs.All(Document).Count(o => NotebookOutputs.IsTable(o.Output));
}

/// <summary>
/// Runs a notebook top to bottom in the real .NET Interactive kernel, out of process: `dotnet tool run dotnet-repl
/// --run NB --exit-after-run --output-path OUT` from the repository's tool manifest (.config/dotnet-tools.json,
/// restored on first use), with the notebook's folder as working directory, as in Polyglot Notebooks.
/// </summary>
public static class NotebookExecution
{
    /// <summary>Restores the repository's local tools (dotnet-repl, dotnet-interactive); throws with the tool's output on failure.</summary>
    public static void RestoreTools(string repositoryRoot)
    {
        var (exit, output) = Dotnet(repositoryRoot, TimeSpan.FromMinutes(5), new Dictionary<string, string?>(), "tool", "restore");
        if (exit != 0) throw new InvalidOperationException($"`dotnet tool restore` in {repositoryRoot} failed ({exit}):\n{output}");
    }

    /// <summary>
    /// Executes <paramref name="notebookPath"/> and returns it with its outputs (the file itself is not touched).
    /// <paramref name="resultsDirectory"/> becomes `ICD_RESULTS_DIR` for the kernel; null removes the variable so the
    /// notebook reads the repository's results/. <paramref name="environment"/> sets (or, with null, removes) further variables.
    /// </summary>
    public static ExecutedNotebook Run(string notebookPath, string? resultsDirectory, TimeSpan timeout, IReadOnlyDictionary<string, string?>? environment = null)
    {
        var variables = new Dictionary<string, string?>(environment ?? new Dictionary<string, string?>())
        {
            [ResultsFolder.EnvironmentVariable] = resultsDirectory is null ? null : Path.GetFullPath(resultsDirectory),
        };
        var notebook = Path.GetFullPath(notebookPath);
        var output = Path.Combine(Directory.CreateTempSubdirectory("icd-notebook-").FullName, Path.GetFileName(notebook));
        var started = Stopwatch.StartNew();
        try
        {
            var (exit, log) = Dotnet(Path.GetDirectoryName(notebook)!, timeout, variables,
                "tool", "run", "dotnet-repl", "--run", notebook, "--exit-after-run", "--output-path", output);
            if (!File.Exists(output))
                throw new InvalidOperationException($"{Path.GetFileName(notebook)}: dotnet-repl exited with {exit} and wrote no output notebook:\n{log}");
            var document = JsonNode.Parse(File.ReadAllText(output))!.AsObject();
            return new ExecutedNotebook(Path.GetFileName(notebook), document, started.Elapsed);
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(output)!, recursive: true);
        }
    }

    static (int Exit, string Output) Dotnet(string workingDirectory, TimeSpan timeout, IReadOnlyDictionary<string, string?> environment, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) info.ArgumentList.Add(a);
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["DOTNET_NOLOGO"] = "1";
        foreach (var (name, value) in environment)
            if (value is null) info.Environment.Remove(name);
            else info.Environment[name] = value;
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"`dotnet {string.Join(' ', args)}` did not finish within {timeout.TotalMinutes:0} min.");
        }
        var text = stdout.Result + stderr.Result;
        return (process.ExitCode, text.Length > 4000 ? text[^4000..] : text);
    }
}
