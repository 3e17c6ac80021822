using IcdResearch.Cli;

namespace IcdResearch.Tests.Notebooks;

/// <summary>
/// Freshly made results for the notebooks: `icd reproduce --profile smoke` (baselines and System A) and `--experiment ccl`
/// (System B, for notebook 06) on the synthetic sample, tiny models trained in a temporary folder, run once per test
/// process into a temporary folder. `ICD_NOTEBOOK_RESULTS=DIR`
/// uses an existing results folder instead.
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
        var started = DateTime.UtcNow;
        // Fresh models in the temporary folder: the test exercises training too, never a stale models/ folder.
        foreach (var experiment in new[] { "all", "ccl" })
        {
            string[] args = ["reproduce", "--profile", "smoke", "--experiment", experiment, "--out", dir, "--models", Path.Combine(dir, "models")];
            var exit = Program.Main(args);
            if (exit != 0) throw new InvalidOperationException($"`icd {string.Join(' ', args)}` exited with {exit}.");
        }
        var files = System.IO.Directory.GetFiles(dir).Select(Path.GetFileName);
        return (dir, $"`icd reproduce --profile smoke --experiment all|ccl --out {dir}` took {(DateTime.UtcNow - started).TotalSeconds:0} s and wrote: {string.Join(", ", files)}");
    }
}
