namespace IcdResearch.Tests.Notebooks;

/// <summary>
/// The notebooks `#r "../src/IcdResearch.Figures/bin/Release/net10.0/…"` (what `dotnet build -c Release` writes on a
/// fresh clone). A build with `ICD_BUILD_SLOT` writes elsewhere (/tmp/icd-build/SLOT/…); then that folder is linked
/// to the path the notebooks use. Either way the assemblies there must be the ones these tests were built with.
/// </summary>
public static class KernelBuild
{
    const string Project = "IcdResearch.Figures";

    public static void EnsureNotebooksSeeThisBuild(string repositoryRoot)
    {
        var referenced = Path.Combine(repositoryRoot, "src", Project, "bin", "Release", "net10.0");
        var slot = Environment.GetEnvironmentVariable("ICD_BUILD_SLOT");
        if (!string.IsNullOrEmpty(slot))
        {
            var built = Path.Combine("/tmp/icd-build", slot, Project, "bin", "Release", "net10.0");
            var info = new DirectoryInfo(referenced);
            if (!info.Exists || info.LinkTarget is not null)
            {
                if (info.LinkTarget is not null) info.Delete();
                Directory.CreateDirectory(Path.GetDirectoryName(referenced)!);
                Directory.CreateSymbolicLink(referenced, built);
            }
        }
        foreach (var dll in new[] { "IcdResearch.dll", $"{Project}.dll" })
        {
            var theirs = Path.Combine(referenced, dll);
            var ours = Path.Combine(AppContext.BaseDirectory, dll);
            Assert.True(File.Exists(theirs), $"{theirs} does not exist: the notebooks need `dotnet build -c Release` (the tests ran from {AppContext.BaseDirectory}).");
            Assert.True(File.ReadAllBytes(theirs).AsSpan().SequenceEqual(File.ReadAllBytes(ours)),
                $"{theirs} differs from the tests' copy {ours}: the notebooks would run another build (run the tests in Release, or rebuild).");
        }
    }
}
