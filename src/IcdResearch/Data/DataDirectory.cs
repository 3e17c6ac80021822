namespace IcdResearch.Data;

/// <summary>
/// Where datasets live: <c>--data DIR</c>, else the <c>ICD_DATA_DIR</c> environment variable, else <c>data/</c>.
/// The layout mirrors ../shared/data (see data/README.md): ccl25/, codes/, chip-cdn/, qwen2-tokenizer/.
/// A relative <c>ICD_DATA_DIR</c> (e.g. <c>../shared/data</c>, as .ci/run sets it) is read from the working folder,
/// or — when that holds no CCL25 files — from the repository root, so notebooks and tests that run in a subfolder
/// find the same data as the CLI run at the root.
/// </summary>
public static class DataDirectory
{
    public const string EnvironmentVariable = "ICD_DATA_DIR";

    public static string Resolve(string? commandLineValue = null)
        => Resolve(commandLineValue, Environment.GetEnvironmentVariable(EnvironmentVariable), Environment.CurrentDirectory);

    /// <summary><see cref="Resolve(string?)"/> with the environment value and working folder given explicitly.</summary>
    public static string Resolve(string? commandLineValue, string? environmentValue, string workingFolder)
    {
        if (!string.IsNullOrWhiteSpace(commandLineValue)) return Path.GetFullPath(commandLineValue, workingFolder);
        if (string.IsNullOrWhiteSpace(environmentValue)) return Path.GetFullPath("data", workingFolder);
        var direct = Path.GetFullPath(environmentValue, workingFolder);
        if (Path.IsPathRooted(environmentValue) || HasCcl25(direct)) return direct;
        if (RepositoryRoot(workingFolder) is not { } root) return direct;
        var fromRoot = Path.GetFullPath(environmentValue, root);
        return HasCcl25(fromRoot) ? fromRoot : direct;
    }

    /// <summary>The folder holding IcdResearch.sln, searching upwards from <paramref name="start"/>; null outside a checkout.</summary>
    public static string? RepositoryRoot(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            if (System.IO.File.Exists(Path.Combine(dir.FullName, "IcdResearch.sln"))) return dir.FullName;
        return null;
    }

    /// <summary>
    /// Records in a JSON record file of the data layout (CCL25, CHIP-CDN; bare NaN tolerated as by the loaders) and
    /// whether every 病案标识 in it is a synthetic id (null when its records carry no 病案标识), e.g. for `icd info`.
    /// </summary>
    public static (int Records, bool? Synthetic) CountRecords(string path)
    {
        var records = JsonRecordFile.Read(path, idField: null);
        var ids = records.Where(r => r.Has(Ccl25Fields.Id)).Select(r => r.Element.GetProperty(Ccl25Fields.Id).ToString()).ToList();
        return (records.Count, ids.Count == 0 ? null : ids.All(SyntheticSample.IsSyntheticId));
    }

    /// <summary>True when the folder holds the real CCL25 release files (not just the synthetic sample).</summary>
    public static bool HasCcl25(string dir) => System.IO.File.Exists(Path.Combine(dir, "ccl25", "train-raw.json"));
}
