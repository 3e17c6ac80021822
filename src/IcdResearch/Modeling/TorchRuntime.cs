using TorchSharp;

namespace IcdResearch.Modeling;

/// <summary>Loads the native TorchSharp/libtorch runtime once, with an actionable error if it cannot.</summary>
public static class TorchRuntime
{
    static readonly object Gate = new();
    static bool _ready;

    public static void EnsureLoaded()
    {
        if (_ready) return;
        lock (Gate)
        {
            if (_ready) return;
            try
            {
                torch.InitializeDeviceType(DeviceType.CPU);
                // Two intra-op threads: the machines this project targets have 2 cores.
                var threads = Environment.GetEnvironmentVariable("ICD_THREADS");
                torch.set_num_threads(int.TryParse(threads, out var t) && t > 0 ? t : Math.Max(1, Environment.ProcessorCount));
                NativeHeap.ReuseFreedMemory();   // tensors' freed memory is reused, not re-mapped (page faults)
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                throw new InvalidOperationException(
                    "TorchSharp's native library could not be loaded. On Debian 12 the build patches libLibTorchSharp.so's " +
                    "GLIBCXX_3.4.32 requirement in the output folder (build/TorchSharpGlibcxxPatch.targets); rebuild with " +
                    "'dotnet build' rather than copying binaries by hand. Inner error: " + e.Message, e);
            }
            _ready = true;
        }
    }
}
