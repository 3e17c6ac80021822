using IcdResearch.Modeling;

namespace IcdResearch.Tests;

/// <summary>
/// The glibc heap settings applied when the runtime loads (freed tensor memory kept for reuse; their effect on
/// `icd predict` is measured in paper-repro.md §2): accepted by glibc, and left alone when the user sets glibc's own.
/// </summary>
[Collection(EnvironmentCollection.Name)]
public class NativeHeapTests
{
    [Fact]
    public void GlibcAcceptsTheSettingsUnlessTheUserSetsItsOwnVariables()
    {
        if (!OperatingSystem.IsLinux()) return;   // glibc only; elsewhere a no-op
        Assert.True(NativeHeap.ReuseFreedMemory());   // mallopt refuses an mmap threshold above 32 MB
        foreach (var variable in new[] { "MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_" })
        {
            Environment.SetEnvironmentVariable(variable, "65536");
            try { Assert.False(NativeHeap.ReuseFreedMemory(), variable); }
            finally { Environment.SetEnvironmentVariable(variable, null); }
        }
    }
}
