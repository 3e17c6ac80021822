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

    [LibraryImport("libc", EntryPoint = "malloc_trim")]
    private static partial int malloc_trim(nuint pad);
}
