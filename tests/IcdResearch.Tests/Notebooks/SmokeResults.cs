using IcdResearch.Cli;
using IcdResearch.Cli.Figures;

namespace IcdResearch.Tests.Notebooks;

/// <summary>
/// The results/ folder the notebooks read in the tests: `icd reproduce --profile smoke` (synthetic sample, a few
/// minutes) run once per test process into a temporary folder. While this build has no `reproduce` command the folder
/// stays empty and the notebooks show what they are waiting for. `ICD_NOTEBOOK_RESULTS=DIR` runs the notebooks against
/// an existing results folder instead (e.g. the default-profile results/).
/// </summary>
public static class SmokeResults
{
    static readonly Lazy<(string Directory, string Log)> Results = new(Produce, LazyThreadSafetyMode.ExecutionAndPublication);

    public static string Directory => Results.Value.Directory;

    /// <summary>How the folder was produced (for test output).</summary>
    public static string Log => Results.Value.Log;

    static (string, string) Produce()
    {
        var given = Environment.GetEnvironmentVariable("ICD_NOTEBOOK_RESULTS");
        if (!string.IsNullOrWhiteSpace(given)) return (Path.GetFullPath(given), $"ICD_NOTEBOOK_RESULTS: notebooks read {Path.GetFullPath(given)}");
        var dir = System.IO.Directory.CreateTempSubdirectory("icd-smoke-results-").FullName;
        AppDomain.CurrentDomain.ProcessExit += (_, _) => { try { System.IO.Directory.Delete(dir, recursive: true); } catch (IOException) { } };
        if (Program.BuildRoot().Subcommands.All(c => c.Name != "reproduce"))
            return (dir, "`icd reproduce` is not in this build yet: notebooks ran against an empty results folder.");
        var started = DateTime.UtcNow;
        // Fresh models in a temporary folder: the test exercises training too, never a stale models/ folder.
        ResultsFolder.Reproduce(dir, "smoke", "--models", Path.Combine(dir, "models"));
        var files = System.IO.Directory.GetFiles(dir).Select(Path.GetFileName);
        return (dir, $"`icd reproduce --profile smoke --out {dir}` took {(DateTime.UtcNow - started).TotalSeconds:0} s and wrote: {string.Join(", ", files)}");
    }
}
