using static TorchSharp.torch;

namespace IcdResearch.Inference;

/// <summary>
/// Threads of a <see cref="Generator"/>'s decode steps: the steps' kernels — projections (<see cref="Modeling.PanelMatrix"/>,
/// by columns), attention (by rows × heads) and the rows' token choices — split over n threads
/// (<see cref="Modeling.DecodeWorkers"/>): the process's libtorch setting (<c>ICD_THREADS</c>, else every core) unless
/// <c>ICD_DECODE_THREADS=n</c>, while libtorch itself runs on the calling thread alone during the steps: its OpenMP
/// workers spin after every op and would take the cores from the decode workers (on a 2-core EPYC both at once made a
/// 1-row step 16.9 ms instead of 0.65 ms). The prefill keeps the process's libtorch setting. Results do not depend on n
/// (the parts are independent). libtorch keeps its count per calling thread
/// (OpenMP), so the switch affects only the generating thread and is restored on dispose.
/// </summary>
public sealed class DecodeThreads : IDisposable
{
    readonly int _saved, _savedWays;
    bool _disposed;

    DecodeThreads(int saved, int savedWays) => (_saved, _savedWays) = (saved, savedWays);

    /// <summary>The decode thread count: <c>ICD_DECODE_THREADS</c> when set, else this thread's libtorch setting.</summary>
    public static int For() => For(Environment.GetEnvironmentVariable("ICD_DECODE_THREADS"), get_num_threads());

    /// <summary>A positive <paramref name="configured"/> count wins; else <paramref name="available"/> (the current setting).</summary>
    internal static int For(string? configured, int available) =>
        int.TryParse(configured, out var n) && n > 0 ? n : available;

    /// <summary>Until disposed: this thread's panel multiplications on <paramref name="threads"/> threads, its libtorch ops on one.</summary>
    public static DecodeThreads Enter(int threads)
    {
        var saved = get_num_threads();
        var savedWays = Modeling.DecodeWorkers.Ways;
        Modeling.DecodeWorkers.Ways = threads;
        if (saved != 1) set_num_threads(1);
        return new DecodeThreads(saved, savedWays);
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        Modeling.DecodeWorkers.Ways = _savedWays;
        if (get_num_threads() != _saved) set_num_threads(_saved);
    }
}
