using System.CommandLine;
using System.Text.Encodings.Web;
using System.Text.Json;
using IcdResearch.Data;
using IcdResearch.Figures;
using IcdResearch.Figures.Notebook;

namespace IcdResearch.Cli.Commands;

/// <summary>
/// `icd notebooks --execute`: runs every notebooks/*.ipynb in the real .NET Interactive kernel (dotnet-repl from the
/// repository's tool manifest) against the committed results/ and writes each back with its outputs (tables, charts
/// as PNG), so the committed notebooks show what the committed results say. Teaching notebooks (00-*) print a whole
/// clinical record, so they are saved from the synthetic sample (ICD_DATA_DIR unset): no dataset text enters the repository.
/// </summary>
public sealed class NotebooksCommand : ICliCommand
{
    static readonly JsonSerializerOptions Json = new() { WriteIndented = true, IndentSize = 1, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public Command Build()
    {
        var execute = new Option<bool>("--execute") { Description = "Run the notebooks and save their outputs in place (else: list them and their last outputs)." };
        var only = new Option<string[]>("--only") { Description = "Only these notebooks (file names, e.g. 02-primary-confidence-retrieval.ipynb).", AllowMultipleArgumentsPerToken = true };
        var results = new Option<string?>("--results") { Description = $"Results folder the notebooks read (${ResultsFolder.EnvironmentVariable}); default: the repository's results/." };
        var command = new Command("notebooks",
            "Execute the notebooks in the real .NET Interactive kernel and save them with their outputs.\n" +
            "Runs dotnet-repl (restored from .config/dotnet-tools.json) on each notebook; tables and charts (PNG) are saved in the .ipynb, " +
            "read from the results folder ($ICD_RESULTS_DIR, default results/). Without --execute it lists the notebooks.\n" +
            "Example: icd notebooks --execute --only 05-overall.ipynb")
        {
            execute, only, results,
        };
        command.SetAction(parse =>
        {
            var root = DataDirectory.RepositoryRoot(Environment.CurrentDirectory)
                ?? throw new DirectoryNotFoundException("run `icd notebooks` inside the repository (IcdResearch.sln not found above the working directory).");
            var names = parse.GetValue(only) ?? [];
            var notebooks = Directory.GetFiles(Path.Combine(root, "notebooks"), "*.ipynb").Order(StringComparer.Ordinal)
                .Where(p => names.Length == 0 || names.Contains(Path.GetFileName(p))).ToList();
            if (!parse.GetValue(execute))
            {
                foreach (var nb in notebooks) Console.WriteLine(Path.GetFileName(nb));
                return 0;
            }
            NotebookExecution.RestoreTools(root);
            var failed = 0;
            foreach (var nb in notebooks)
            {
                var synthetic = Path.GetFileName(nb).StartsWith("00-", StringComparison.Ordinal);
                var environment = synthetic ? new Dictionary<string, string?> { [DataDirectory.EnvironmentVariable] = null } : null;
                var run = NotebookExecution.Run(nb, parse.GetValue(results), TimeSpan.FromMinutes(30), environment);
                foreach (var e in run.Errors) Console.Error.WriteLine($"{run.Name}, cell [{e.Cell}]: {e.Name}: {e.Message}");
                failed += run.Errors.Count > 0 ? 1 : 0;
                File.WriteAllText(nb, NotebookOutputs.Clean(run.Document).ToJsonString(Json) + "\n");
                Console.WriteLine($"{run.Name}: {run.Charts} charts, {run.Tables} tables, {run.Errors.Count} errors, {run.Elapsed.TotalSeconds:0} s");
            }
            return failed == 0 ? 0 : 1;
        });
        return command;
    }
}
