using System.Diagnostics;

namespace IcdResearch.Modeling;

/// <summary>
/// The extra cores of a decode step's kernels (<see cref="PanelMatrix"/> multiplications, <see cref="DecodeAttention"/>,
/// <see cref="SharedPrefixAttention"/>, the rows' token choices): the calling thread computes one range of a job's
/// independent parts and up to <see cref="Ways"/> − 1 background threads the others. A step issues ~20 jobs of 10–60 µs
/// each, too short for thread-pool hand-offs, so a worker spins on its next job for a millisecond after the last one
/// (through the whole decode loop) and sleeps after that; a part a worker has not started by the time the caller is
/// done is run by the caller (on a busy machine the split costs at most the one-thread time). <see cref="Ways"/> is
/// per calling thread (set by <see cref="Inference.DecodeThreads"/> for the decode steps; 1 elsewhere); a second caller
/// while the workers are busy computes its job alone. Parts are independent (columns of a product, rows × heads of an
/// attention), so the split never changes a result.
/// </summary>
internal static class DecodeWorkers
{
    [ThreadStatic] static int t_ways;
    static readonly object Gate = new();
    static readonly List<Worker> Workers = [];
    static Action<int, int>? s_run;   // the posted job's Run(part, parts) (Slot<T>.RunPart: no allocation per job)
    static int s_parts;

    /// <summary>How many threads this thread's multiplications use (≥ 1).</summary>
    public static int Ways
    {
        get => Math.Max(1, t_ways);
        set => t_ways = Math.Clamp(value, 1, Environment.ProcessorCount);
    }

    /// <summary>Runs <paramref name="job"/>'s parts on this thread and the workers; returns when all are done.</summary>
    public static void Run<T>(ref T job) where T : struct, IDecodeJob
    {
        var parts = Math.Min(Ways, job.PartCount);
        if (parts <= 1 || !Monitor.TryEnter(Gate))
        {
            job.Run(0, 1);
            return;
        }
        try
        {
            while (Workers.Count < parts - 1) Workers.Add(new Worker(Workers.Count + 1));
            (Slot<T>.Job, s_run, s_parts) = (job, Slot<T>.RunPart, parts);
            for (var i = 0; i < parts - 1; i++) Workers[i].Post();
            job.Run(0, parts);
            Exception? failure = null;
            for (var i = 0; i < parts - 1; i++)
            {
                var failed = Workers[i].Finish(parts);
                failure ??= failed;
            }
            if (failure is not null) throw new InvalidOperationException("a decode worker failed", failure);
        }
        finally
        {
            Monitor.Exit(Gate);
        }
    }

    /// <summary>
    /// One background thread and its part of the current job. A posted part that the worker has not started when the
    /// caller is done with its own (the worker was descheduled: the machine is busy) is taken back and run by the caller,
    /// so a busy machine costs at most the one-thread time.
    /// </summary>
    sealed class Worker
    {
        const int Idle = 0, Posted = 1, Running = 2;
        static readonly long SpinTicks = Stopwatch.Frequency / 1000;   // 1 ms
        readonly int _part;
        readonly SemaphoreSlim _wake = new(0);
        int _state, _sleeping;   // changed with full fences (Interlocked): a post never misses a worker going to sleep
        Exception? _failure;

        public Worker(int part)
        {
            _part = part;
            new Thread(Loop) { IsBackground = true, Name = $"decode-worker-{part}" }.Start();
        }

        public void Post()
        {
            Interlocked.Exchange(ref _state, Posted);
            if (Volatile.Read(ref _sleeping) == 1) _wake.Release();
        }

        /// <summary>Waits for this worker's part, or runs it on the caller when the worker has not started it.</summary>
        public Exception? Finish(int parts)
        {
            if (Interlocked.CompareExchange(ref _state, Idle, Posted) == Posted) s_run!(_part, parts);
            else while (Volatile.Read(ref _state) != Idle) Thread.SpinWait(8);
            var failure = _failure;
            _failure = null;
            return failure;
        }

        void Loop()
        {
            var idle = Stopwatch.GetTimestamp();
            while (true)
            {
                if (Volatile.Read(ref _state) == Posted && Interlocked.CompareExchange(ref _state, Running, Posted) == Posted)
                {
                    try { s_run!(_part, s_parts); }
                    catch (Exception e) { _failure = e; }
                    Volatile.Write(ref _state, Idle);
                    idle = Stopwatch.GetTimestamp();
                }
                else if (Stopwatch.GetTimestamp() - idle < SpinTicks) Thread.SpinWait(8);
                else
                {
                    Interlocked.Exchange(ref _sleeping, 1);
                    if (Volatile.Read(ref _state) != Posted) _wake.Wait(Timeout.Infinite);
                    Interlocked.Exchange(ref _sleeping, 0);
                    idle = Stopwatch.GetTimestamp();
                }
            }
        }
    }

    /// <summary>The posted job of type <typeparamref name="T"/> (one at a time: guarded by the gate).</summary>
    static class Slot<T> where T : struct, IDecodeJob
    {
        public static T Job;
        public static readonly Action<int, int> RunPart = (part, parts) => Job.Run(part, parts);
    }
}

/// <summary>Work a decode step splits over <see cref="DecodeWorkers"/>: <see cref="PartCount"/> independent parts, run as ranges.</summary>
internal interface IDecodeJob
{
    int PartCount { get; }

    /// <summary>Computes range <paramref name="part"/> of <paramref name="parts"/> equal ranges of the parts.</summary>
    void Run(int part, int parts);
}
