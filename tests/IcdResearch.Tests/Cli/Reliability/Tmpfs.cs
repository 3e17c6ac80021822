using System.Diagnostics;

namespace IcdResearch.Tests.Reliability;

/// <summary>A tiny tmpfs mount, to make a real full disk for a test (needs root and a kernel that allows it).</summary>
internal static class Tmpfs
{
    static readonly Lazy<bool> CanMount = new(() =>
    {
        if (!OperatingSystem.IsLinux() || Environment.UserName != "root") return false;
        var probe = Directory.CreateTempSubdirectory("icd-tmpfs-probe-").FullName;
        try
        {
            if (!Run("mount", "-t", "tmpfs", "-o", "size=16k", "tmpfs", probe)) return false;
            Run("umount", probe);
            return true;
        }
        finally { try { Directory.Delete(probe); } catch (IOException) { } }
    });

    public static bool Available => CanMount.Value;

    public static void Mount(string dir, string size, bool readOnly = false) =>
        Assert.True(Run("mount", "-t", "tmpfs", "-o", $"{(readOnly ? "ro," : "")}size={size}", "tmpfs", dir), $"mount tmpfs on {dir} failed");

    public static void Unmount(string dir) => Run("umount", dir);

    static bool Run(string file, params string[] args)
    {
        try
        {
            using var p = Process.Start(new ProcessStartInfo(file, args) { RedirectStandardError = true, RedirectStandardOutput = true })!;
            p.WaitForExit();
            return p.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception) { return false; }
    }
}

/// <summary>A fact that runs only where a tmpfs can be mounted (root on Linux); skipped with the reason elsewhere.</summary>
public sealed class RequiresTmpfsFactAttribute : FactAttribute
{
    public RequiresTmpfsFactAttribute()
    {
        if (!Tmpfs.Available) Skip = "needs root on Linux to mount a small tmpfs (a real full disk)";
    }
}
