using System.Runtime.InteropServices;

namespace IcdResearch.Modeling;

/// <summary>
/// Hands freed native heap memory back to the operating system (glibc's <c>malloc_trim</c>). libtorch allocates tensors
/// below 32 MB from the C heap, whose freed holes stay resident between live tensors; a loader that allocates and frees
/// one projection's temporaries after another (NF4 loading) would otherwise grow its resident set by the sum of the holes.
/// A no-op where glibc is absent (other C libraries, Windows, macOS).
/// </summary>
public static partial class NativeHeap
{
    static bool _unavailable = !OperatingSystem.IsLinux();

    /// <summary>Releases free heap pages (whole pages inside holes too); returns whether anything was released.</summary>
    public static bool Trim()
    {
        if (_unavailable) return false;
        try { return malloc_trim(0) != 0; }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            _unavailable = true;
            return false;
        }
    }

    /// <summary>
    /// Keeps freed tensor memory in the heap for the next tensors instead of handing it back to the operating system at
    /// every free: allocations up to 32 MB (glibc's largest mmap threshold) come from the heap, whose top is trimmed only
    /// beyond 512 MB. With glibc's defaults a prefill's multi-MB temporaries kept landing in freshly mapped pages, whose
    /// first-touch page faults took about 5% of `icd predict`'s CPU time (perf, 2-core EPYC; paper-repro.md §2 has the
    /// A/B). <see cref="Trim"/> still releases
    /// everything free. Not applied when the process sets glibc's own MALLOC_MMAP_THRESHOLD_ or MALLOC_TRIM_THRESHOLD_.
    /// Returns whether the settings were applied.
    /// </summary>
    public static bool ReuseFreedMemory()
    {
        if (_unavailable || Environment.GetEnvironmentVariable("MALLOC_MMAP_THRESHOLD_") is not null
            || Environment.GetEnvironmentVariable("MALLOC_TRIM_THRESHOLD_") is not null) return false;
        try { return mallopt(MmapThreshold, 32 << 20) == 1 && mallopt(TrimThreshold, 512 << 20) == 1; }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            _unavailable = true;
            return false;
        }
    }

    const int TrimThreshold = -1, MmapThreshold = -3;   // glibc's M_TRIM_THRESHOLD, M_MMAP_THRESHOLD

    [LibraryImport("libc", EntryPoint = "malloc_trim")]
    private static partial int malloc_trim(nuint pad);

    [LibraryImport("libc", EntryPoint = "mallopt")]
    private static partial int mallopt(int parameter, int value);
}
