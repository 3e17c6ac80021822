using System.Diagnostics;

namespace IcdResearch.Modeling;

/// <summary>
/// The extra cores of a decode step's <see cref="PanelMatrix"/> multiplications: the calling thread computes one column
/// range and up to <see cref="Ways"/> − 1 background threads the others. A step issues ~17 multiplications of 10–60 µs
/// each, too short for thread-pool hand-offs, so a worker spins on its next job for a millisecond after the last one
/// (through the whole decode loop) and sleeps after that. <see cref="Ways"/> is per calling thread (set by
/// <see cref="Inference.DecodeThreads"/> for the decode steps; 1 elsewhere); a second caller while the workers are busy
/// computes its multiplication alone. Columns are independent, so the split never changes a result.
/// </summary>
internal static class DecodeWorkers
{
    [ThreadStatic] static int t_ways;
    static readonly object Gate = new();
    static readonly List<Worker> Workers = [];
    static PanelMatrix.Job s_job;
    static int s_parts;

    /// <summary>How many threads this thread's multiplications use (≥ 1).</summary>
    public static int Ways
    {
        get => Math.Max(1, t_ways);
        set => t_ways = Math.Clamp(value, 1, Environment.ProcessorCount);
    }

    public static void Run(ref PanelMatrix.Job job)
    {
        var parts = Math.Min(Ways, job.PanelCount);
        if (parts <= 1 || !Monitor.TryEnter(Gate))
        {
            job.Run(0, 1);
            return;
        }
        try
        {
            while (Workers.Count < parts - 1) Workers.Add(new Worker(Workers.Count + 1));
            (s_job, s_parts) = (job, parts);
            for (var i = 0; i < parts - 1; i++) Workers[i].Post();
            job.Run(0, parts);
            Exception? failure = null;
            for (var i = 0; i < parts - 1; i++)
            {
                var failed = Workers[i].Wait();
                failure ??= failed;
            }
            if (failure is not null) throw new InvalidOperationException("a decode worker failed", failure);
        }
        finally
        {
            Monitor.Exit(Gate);
        }
    }

    sealed class Worker
    {
        static readonly long SpinTicks = Stopwatch.Frequency / 1000;   // 1 ms
        readonly int _part;
        readonly SemaphoreSlim _wake = new(0);
        int _posted, _sleeping;   // written with full fences (Interlocked): a post never misses a worker going to sleep
        volatile int _done;
        Exception? _failure;

        public Worker(int part)
        {
            _part = part;
            new Thread(Loop) { IsBackground = true, Name = $"decode-worker-{part}" }.Start();
        }

        public void Post()
        {
            Interlocked.Increment(ref _posted);
            if (Volatile.Read(ref _sleeping) == 1) _wake.Release();
        }

        public Exception? Wait()
        {
            var target = Volatile.Read(ref _posted);
            while (_done != target) Thread.SpinWait(8);
            var failure = _failure;
            _failure = null;
            return failure;
        }

        void Loop()
        {
            var seen = 0;
            var idle = Stopwatch.GetTimestamp();
            while (true)
            {
                if (Volatile.Read(ref _posted) != seen)
                {
                    seen = Volatile.Read(ref _posted);
                    try { s_job.Run(_part, s_parts); }
                    catch (Exception e) { _failure = e; }
                    _done = seen;
                    idle = Stopwatch.GetTimestamp();
                }
                else if (Stopwatch.GetTimestamp() - idle < SpinTicks) Thread.SpinWait(8);
                else
                {
                    Interlocked.Exchange(ref _sleeping, 1);
                    if (Volatile.Read(ref _posted) == seen) _wake.Wait(Timeout.Infinite);
                    Interlocked.Exchange(ref _sleeping, 0);
                    idle = Stopwatch.GetTimestamp();
                }
            }
        }
    }
}
