using System.Diagnostics;

namespace IcdResearch.Tests.Notebooks;

/// <summary>
/// The results a fresh clone has: a temporary copy of the files of results/ that git tracks (`git ls-files results`),
/// so a developer's untracked results (a seed's folder, mined span pairs, predictions) cannot make the saved notebook
/// outputs look current here while a clean checkout sees others. Null outside a git work tree (a source archive has
/// exactly the committed files): the notebooks then read the repository's results/.
/// </summary>
public static class CommittedResults
{
    static readonly Dictionary<string, string?> Copies = new(StringComparer.Ordinal);

    public static string? Directory(string repositoryRoot)
    {
        lock (Copies)
        {
            if (!Copies.TryGetValue(repositoryRoot, out var copy)) Copies[repositoryRoot] = copy = MakeCopy(repositoryRoot);
            return copy;
        }
    }

    static string? MakeCopy(string repositoryRoot)
    {
        var tracked = TrackedFiles(repositoryRoot);
        if (tracked is null) return null;
        var root = System.IO.Directory.CreateTempSubdirectory("icd-committed-results-").FullName;
        AppDomain.CurrentDomain.ProcessExit += (_, _) => { try { System.IO.Directory.Delete(root, recursive: true); } catch (IOException) { } };
        // Laid out as a checkout (IcdResearch.sln beside results/), so the notebooks name the folder "results" as in
        // the repository (ResultsFolder prints its path relative to the repository root).
        var results = Path.Combine(root, "results");
        System.IO.Directory.CreateDirectory(results);
        File.Copy(Path.Combine(repositoryRoot, "IcdResearch.sln"), Path.Combine(root, "IcdResearch.sln"));
        foreach (var file in tracked)
        {
            var target = Path.Combine(results, Path.GetRelativePath("results", file));
            System.IO.Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(Path.Combine(repositoryRoot, file), target);
        }
        return results;
    }

    /// <summary>Paths (relative to the repository, '/'-separated) of results/ files in git's index that exist in the work tree; null without git.</summary>
    static List<string>? TrackedFiles(string repositoryRoot)
    {
        var info = new ProcessStartInfo("git") { WorkingDirectory = repositoryRoot, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "ls-files", "-z", "--", "results" }) info.ArgumentList.Add(a);
        try
        {
            using var process = Process.Start(info)!;
            var stdout = process.StandardOutput.ReadToEnd();
            process.StandardError.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0) return null;
            return stdout.Split('\0', StringSplitOptions.RemoveEmptyEntries).Where(f => File.Exists(Path.Combine(repositoryRoot, f))).ToList();
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;   // no git on PATH
        }
    }
}
