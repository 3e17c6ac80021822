namespace IcdResearch.Data;

/// <summary>
/// Where datasets live: <c>--data DIR</c>, else the <c>ICD_DATA_DIR</c> environment variable, else <c>data/</c>.
/// The layout mirrors ../shared/data (see data/README.md): ccl25/, codes/, chip-cdn/, qwen2-tokenizer/.
/// </summary>
public static class DataDirectory
{
    public const string EnvironmentVariable = "ICD_DATA_DIR";

    public static string Resolve(string? commandLineValue = null)
    {
        if (!string.IsNullOrWhiteSpace(commandLineValue)) return Path.GetFullPath(commandLineValue);
        var env = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(env)) return Path.GetFullPath(env);
        return Path.GetFullPath("data");
    }

    /// <summary>True when the folder holds the real CCL25 release files (not just the synthetic sample).</summary>
    public static bool HasCcl25(string dir) => System.IO.File.Exists(Path.Combine(dir, "ccl25", "train-raw.json"));
}
