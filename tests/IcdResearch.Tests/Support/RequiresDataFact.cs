using IcdResearch.Data;

namespace IcdResearch.Tests;

/// <summary>
/// Where the real datasets are for tests: <c>$ICD_DATA_DIR</c>, else <c>../shared/data</c> relative to the repository
/// (or any parent of the test's working folder). <see cref="Dir"/> is null when no folder holds ccl25/train-raw.json.
/// </summary>
public static class TestData
{
    public const string SkipReason =
        "needs the CCL25 data in $ICD_DATA_DIR or ../shared/data; set ICD_DATA_DIR to run";

    static readonly Lazy<string?> Resolved = new(Find);

    /// <summary>The data folder holding the real CCL25 files, or null.</summary>
    public static string? Dir => Resolved.Value;

    public static bool Available => Dir is not null;

    /// <summary>The data folder; throws when absent (only call from tests marked [RequiresDataFact]).</summary>
    public static string RequireDir() => Dir ?? throw new InvalidOperationException(SkipReason);

    /// <summary>Full path of a file inside the data folder, e.g. <c>Path("ccl25", "train-raw.json")</c>.</summary>
    public static string Path(params string[] parts) => System.IO.Path.Combine([RequireDir(), .. parts]);

    static string? Find()
    {
        var env = Environment.GetEnvironmentVariable(DataDirectory.EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(env))
        {
            // A relative value (CI sets ../shared/data) is relative to the repository, not to the test host's bin folder.
            var full = System.IO.Path.GetFullPath(env);
            if (DataDirectory.HasCcl25(full)) return full;
            for (var dir = new DirectoryInfo(SourceDirectory()); dir is not null && !System.IO.Path.IsPathRooted(env); dir = dir.Parent)
            {
                var candidate = System.IO.Path.GetFullPath(System.IO.Path.Combine(dir.FullName, env));
                if (DataDirectory.HasCcl25(candidate)) return candidate;
            }
        }
        // Walk up from this source file (the repository, also when bin/ is moved out by ICD_BUILD_SLOT), the test binary
        // folder and the working folder, looking for <repo>/../shared/data.
        foreach (var start in new[] { SourceDirectory(), AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = System.IO.Path.Combine(dir.FullName, "..", "shared", "data");
                if (DataDirectory.HasCcl25(candidate)) return System.IO.Path.GetFullPath(candidate);
            }
        }
        return null;
    }

    static string SourceDirectory([System.Runtime.CompilerServices.CallerFilePath] string file = "") =>
        System.IO.Path.GetDirectoryName(file) ?? ".";
}

/// <summary>A fact that runs only when the real CCL25 data is present (see <see cref="TestData"/>); otherwise it is skipped with a reason.</summary>
public sealed class RequiresDataFactAttribute : FactAttribute
{
    public RequiresDataFactAttribute()
    {
        if (!TestData.Available) Skip = TestData.SkipReason;
    }
}

/// <summary>A theory that runs only when the real CCL25 data is present (see <see cref="TestData"/>).</summary>
public sealed class RequiresDataTheoryAttribute : TheoryAttribute
{
    public RequiresDataTheoryAttribute()
    {
        if (!TestData.Available) Skip = TestData.SkipReason;
    }
}
