using System.Text;

namespace IcdResearch.IO;

/// <summary>
/// The one way every output of the project is written (predictions, results, models, checkpoints, exports): a file is
/// written to a temporary file in the same folder and renamed over the target; a folder is assembled under a temporary
/// name next to the target and renamed into place. A failure (full disk, read-only folder, a crash in the writer)
/// leaves the old file or folder — or nothing — and no temporary file behind.
/// </summary>
public static class AtomicFile
{
    static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    /// <summary>Writes <paramref name="path"/> through <paramref name="write"/> on a temporary file, then renames it into place.</summary>
    public static void Write(string path, Action<Stream> write)
    {
        var full = Path.GetFullPath(path);
        var temp = TempName(full);
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
        }
        catch (Exception e)
        {
            TryDelete(temp);
            if (e is IOException or UnauthorizedAccessException) throw new IOException($"cannot write {full}: {e.Message}", e);
            throw;
        }
    }

    public static void WriteAllText(string path, string text) => Write(path, s => s.Write(Utf8.GetBytes(text)));

    public static void WriteAllBytes(string path, byte[] bytes) => Write(path, s => s.Write(bytes));

    /// <summary>Text through a UTF-8 (no BOM) writer.</summary>
    public static void WriteText(string path, Action<TextWriter> write) => Write(path, s =>
    {
        using var writer = new StreamWriter(s, Utf8, leaveOpen: true);
        write(writer);
    });

    /// <summary>
    /// Builds the folder <paramref name="path"/> with <paramref name="build"/> (given the temporary folder to fill), then
    /// swaps it into place: an existing folder is moved aside, the new one renamed, the old one deleted.
    /// </summary>
    public static void WriteDirectory(string path, Action<string> build)
    {
        var full = Path.GetFullPath(path.TrimEnd(Path.DirectorySeparatorChar));
        var temp = TempName(full);
        var old = TempName(full) + ".old";
        try
        {
            Directory.CreateDirectory(temp);
            build(temp);
            if (Directory.Exists(full)) Directory.Move(full, old);
            Directory.Move(temp, full);
        }
        catch (Exception e)
        {
            if (!Directory.Exists(full) && Directory.Exists(old)) Directory.Move(old, full);
            TryDeleteDirectory(temp);
            if (e is IOException or UnauthorizedAccessException) throw new IOException($"cannot write {full}: {e.Message}", e);
            throw;
        }
        TryDeleteDirectory(old);
    }

    /// <summary>True for the names <see cref="Write"/> and <see cref="WriteDirectory"/> use while writing (left only by a killed process).</summary>
    public static bool IsTemporary(string path) => Path.GetFileName(path.TrimEnd(Path.DirectorySeparatorChar)) is var n && n.StartsWith('.') && n.Contains(".icd-tmp-");

    static string TempName(string full) =>
        Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.icd-tmp-{Environment.ProcessId}-{Guid.NewGuid():N}");

    static void TryDelete(string file)
    {
        try { if (File.Exists(file)) File.Delete(file); } catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }

    static void TryDeleteDirectory(string dir)
    {
        try { if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true); } catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }
}
