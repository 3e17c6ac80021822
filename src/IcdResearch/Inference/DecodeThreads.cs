using static TorchSharp.torch;

namespace IcdResearch.Inference;

/// <summary>
/// libtorch intra-op threads while a <see cref="Generator"/> runs its decode steps (the prefill keeps the process's
/// setting, <c>ICD_THREADS</c>). A decode step of a small model is a few hundred tiny ops whose weights sit in the CPU
/// caches: splitting each op over threads costs more in synchronisation than it gains, so models up to
/// <see cref="SingleThreadWeightBytes"/> decode on one thread (on the 2-core reference machine the default 14 MB
/// backbone's greedy decode ran ≈ 1.2–1.6× faster than with 2 threads, paper-repro.md §2; `icd bench` prints the count
/// as <c>decode_threads</c>, and <c>ICD_DECODE_THREADS=2 icd bench</c> gives the other setting's figures). Larger
/// models are bound by memory bandwidth, which one core cannot saturate, and keep every thread. <c>ICD_DECODE_THREADS</c>
/// overrides the choice. One thread also makes decoded logits independent of the machine's core count.
/// libtorch keeps the count per calling thread (OpenMP), so the switch affects only the generating thread and is
/// restored on dispose.
/// </summary>
public sealed class DecodeThreads : IDisposable
{
    /// <summary>Weight bytes up to which decoding uses one thread (64 MiB: cache-resident models).</summary>
    public const long SingleThreadWeightBytes = 64L << 20;

    readonly int _saved;
    bool _disposed;

    DecodeThreads(int saved) => _saved = saved;

    /// <summary>The decode thread count for a model of <paramref name="weightBytes"/> (see the class summary).</summary>
    public static int For(long weightBytes) =>
        For(weightBytes, Environment.GetEnvironmentVariable("ICD_DECODE_THREADS"), get_num_threads());

    /// <summary>A positive <paramref name="configured"/> count wins; else one thread for cache-resident weights, else <paramref name="available"/>.</summary>
    internal static int For(long weightBytes, string? configured, int available)
    {
        if (int.TryParse(configured, out var n) && n > 0) return n;
        return weightBytes <= SingleThreadWeightBytes ? 1 : available;
    }

    /// <summary>Switches this thread's libtorch ops to <paramref name="threads"/> until disposed.</summary>
    public static DecodeThreads Enter(int threads)
    {
        var saved = get_num_threads();
        if (threads != saved) set_num_threads(threads);
        return new DecodeThreads(saved);
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        if (get_num_threads() != _saved) set_num_threads(_saved);
    }
}
