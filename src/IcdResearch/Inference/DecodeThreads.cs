using static TorchSharp.torch;

namespace IcdResearch.Inference;

/// <summary>
/// libtorch intra-op threads while a <see cref="Generator"/> runs its decode steps: the process's setting
/// (<c>ICD_THREADS</c>, else every core) unless <c>ICD_DECODE_THREADS=n</c> sets another count for the decode steps only
/// (the prefill keeps the process's setting). Which is faster depends on the host and the batch, not on the model alone:
/// on a 2-core AMD EPYC host one decode thread ran the default 14 MB backbone's greedy decode and `icd bench`'s System A
/// section faster, while on a 2-core Intel Xeon host two threads ran `icd predict` faster at its default batch of 16
/// records and at 1, tied at 4 and on greedy decode (paper-repro.md §2) — so the default leaves the count alone, `icd bench` prints it as
/// <c>decode_threads</c>, and <c>ICD_DECODE_THREADS=1 icd bench</c> gives the other setting's figures. The decoded
/// predictions did not depend on the count in those runs. libtorch keeps the count per calling thread (OpenMP), so the
/// switch affects only the generating thread and is restored on dispose.
/// </summary>
public sealed class DecodeThreads : IDisposable
{
    readonly int _saved;
    bool _disposed;

    DecodeThreads(int saved) => _saved = saved;

    /// <summary>The decode thread count: <c>ICD_DECODE_THREADS</c> when set, else this thread's libtorch setting.</summary>
    public static int For() => For(Environment.GetEnvironmentVariable("ICD_DECODE_THREADS"), get_num_threads());

    /// <summary>A positive <paramref name="configured"/> count wins; else <paramref name="available"/> (the current setting).</summary>
    internal static int For(string? configured, int available) =>
        int.TryParse(configured, out var n) && n > 0 ? n : available;

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
