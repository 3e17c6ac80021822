using System.Security.Cryptography;
using IcdResearch.Cli;

namespace IcdResearch.Tests.Reliability;

/// <summary>Runs `icd` in-process through <see cref="Program.Main"/> — the code path users run — capturing stdout and stderr.</summary>
internal static class Cli
{
    public sealed record Result(int Code, string Out, string Err)
    {
        /// <summary>Asserts a failure the way the error boundary reports one: the exit code, an "error:" line, every <paramref name="located"/> part in stderr, no stack trace.</summary>
        public Result Fails(int code, params string[] located)
        {
            Assert.True(Code == code, $"exit code {Code}, expected {code}; stderr: {Err}");
            Assert.Contains("\nerror: ", "\n" + Err);   // notes (e.g. a checkpoint fallback) may come first
            foreach (var part in located) Assert.Contains(part, Err);
            Assert.DoesNotContain("   at ", Err);   // no stack trace without --verbose
            return this;
        }
    }

    public static Result Run(params string[] args)
    {
        var (oldOut, oldErr) = (Console.Out, Console.Error);
        var (stdout, stderr) = (new StringWriter(), new StringWriter());
        Console.SetOut(stdout);
        Console.SetError(stderr);
        try { return new Result(Program.Main(args), stdout.ToString(), stderr.ToString()); }
        finally { Console.SetOut(oldOut); Console.SetError(oldErr); }
    }
}

/// <summary>Every file under a folder with its SHA-256, to assert that a failed command changed nothing and left nothing behind.</summary>
internal sealed record FolderState(IReadOnlyDictionary<string, string> Files)
{
    public static FolderState Of(string dir) => new(!Directory.Exists(dir)
        ? new Dictionary<string, string>()
        : Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories)
            .ToDictionary(f => Path.GetRelativePath(dir, f), f => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(f)))));

    /// <summary>Asserts that <paramref name="dir"/> holds exactly the files of this snapshot, byte for byte.</summary>
    public void AssertSame(string dir)
    {
        var now = Of(dir);
        Assert.Equal(Files.Keys.Order(StringComparer.Ordinal), now.Files.Keys.Order(StringComparer.Ordinal));
        foreach (var (file, hash) in Files) Assert.True(now.Files[file] == hash, $"{file} changed");
    }
}
