namespace IcdResearch.IO;

/// <summary>
/// Checks an output path before any work starts, so a run that would fail to save its result fails in its first
/// second instead of after hours: the target is of the expected kind (a file where a file is written, not a folder),
/// no parent is a file, and the nearest existing folder accepts a new file.
/// </summary>
public static class OutputPath
{
    /// <summary>Null when <paramref name="path"/> can be written as a file (<paramref name="folder"/> false) or a folder; else why not.</summary>
    public static string? Problem(string path, bool folder)
    {
        if (string.IsNullOrWhiteSpace(path)) return "empty path";
        string full;
        try { full = Path.GetFullPath(path); }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException) { return $"not a valid path ({e.Message})"; }
        if (folder && File.Exists(full)) return "is a file, but a folder is written here";
        if (!folder && (Directory.Exists(full) || path.EndsWith('/') || path.EndsWith(Path.DirectorySeparatorChar)))
            return "is a folder; give the name of the file to write";
        var existing = folder && Directory.Exists(full) ? full : Path.GetDirectoryName(full);
        while (existing is not null && !Directory.Exists(existing))
        {
            if (File.Exists(existing)) return $"its parent {existing} is a file, not a folder";
            existing = Path.GetDirectoryName(existing);
        }
        if (existing is null) return "no existing parent folder";
        var probe = Path.Combine(existing, $".icd-write-probe-{Environment.ProcessId}-{Guid.NewGuid():N}");
        try
        {
            using (new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose)) { }
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"the folder {existing} is not writable ({(e is UnauthorizedAccessException ? "permission denied" : e.Message.Replace(probe, existing))})";
        }
    }

    /// <summary>Throws <see cref="IOException"/> naming <paramref name="option"/> and the path when <see cref="Problem"/> finds one.</summary>
    public static void Check(string path, bool folder, string option)
    {
        if (Problem(path, folder) is { } problem) throw new IOException($"{option} {path}: {problem}");
    }
}
