using System.Threading.Channels;
using IcdResearch.Inference;
using IcdResearch.Inference.Constraints;

namespace IcdResearch.Serving;

/// <summary>One generation call a request needs: its prompts (each already repeated n times), options and constraint.</summary>
public sealed record GenerationJob(ServedModel Model, IReadOnlyList<IReadOnlyList<int>> Prompts, GenerationOptions Options, UnitGrammar? Grammar)
{
    /// <summary>The grammar's text, the key under which greedy jobs may share one constraint.</summary>
    public string GrammarKey { get; } = Grammar?.ToGbnf() ?? "";

    /// <summary>Greedy jobs with the same model, grammar and limits can share one batch; a sampled job's seed defines its own draw.</summary>
    public bool CanJoin(GenerationJob other) => !Options.DoSample && !other.Options.DoSample && ReferenceEquals(Model, other.Model)
        && GrammarKey == other.GrammarKey && Options.MaxNewTokens == other.Options.MaxNewTokens && Options.TopLogprobs == other.Options.TopLogprobs;
}

/// <summary>What a job produced: one sequence per prompt, and the constraint it was decoded under (to spell the answer).</summary>
public sealed record GenerationResult(IReadOnlyList<GeneratedSequence> Sequences, UnitGrammarConstraint? Constraint);

/// <summary>
/// Serialises all model work onto one worker and batches concurrent requests: greedy jobs that can share a forward
/// pass (<see cref="GenerationJob.CanJoin"/>) are decoded together, up to <see cref="MaxBatch"/> sequences, in arrival
/// order; sampled jobs run as their own batch (a request's n samples are one batch, seeded, as in process).
/// </summary>
public sealed class BatchScheduler : IDisposable
{
    readonly Channel<(object Job, TaskCompletionSource<object> Done)> _queue = Channel.CreateUnbounded<(object, TaskCompletionSource<object>)>();
    readonly Task _worker;

    public int MaxBatch { get; }
    /// <summary>How many batches ran and how many jobs they held (batching is visible in /health).</summary>
    public long Batches => Interlocked.Read(ref _batches);
    public long Jobs => Interlocked.Read(ref _jobs);
    long _batches, _jobs;

    public BatchScheduler(int maxBatch = 16)
    {
        MaxBatch = maxBatch;
        _worker = Task.Factory.StartNew(Work, TaskCreationOptions.LongRunning).Unwrap();
    }

    public async Task<GenerationResult> Generate(GenerationJob job) => (GenerationResult)await Enqueue(job);

    /// <summary>Other model work (embeddings) on the same worker.</summary>
    public async Task<T> Run<T>(Func<T> work) => (T)(await Enqueue(new Func<object>(() => work()!)))!;

    Task<object> Enqueue(object job)
    {
        var done = new TaskCompletionSource<object>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_queue.Writer.TryWrite((job, done))) throw new InvalidOperationException("the server is shutting down");
        return done.Task;
    }

    async Task Work()
    {
        var pending = new List<(object Job, TaskCompletionSource<object> Done)>();
        while (await _queue.Reader.WaitToReadAsync())
        {
            await Task.Delay(2);   // let requests sent together arrive together
            while (_queue.Reader.TryRead(out var item)) pending.Add(item);
            while (pending.Count > 0)
            {
                var (first, done) = pending[0];
                pending.RemoveAt(0);
                if (first is not GenerationJob job)
                {
                    try { done.SetResult(((Func<object>)first)()); }
                    catch (Exception e) { done.SetException(e); }
                    continue;
                }
                var group = new List<(GenerationJob Job, TaskCompletionSource<object> Done)> { (job, done) };
                var size = job.Prompts.Count;
                for (var i = 0; i < pending.Count;)
                {
                    if (pending[i].Job is GenerationJob other && job.CanJoin(other) && size + other.Prompts.Count <= MaxBatch)
                    {
                        group.Add((other, pending[i].Done));
                        size += other.Prompts.Count;
                        pending.RemoveAt(i);
                    }
                    else i++;
                }
                Run(group);
            }
        }
    }

    void Run(List<(GenerationJob Job, TaskCompletionSource<object> Done)> group)
    {
        try
        {
            var first = group[0].Job;
            var model = first.Model;
            var constraint = first.Grammar is null ? null : new UnitGrammarConstraint(first.Grammar, model.Tokenizer);
            var generator = new Generator(model.Model, model.Tokenizer);
            var outputs = generator.Generate(group.SelectMany(g => g.Job.Prompts).ToList(), first.Options with { Constraint = constraint });
            Interlocked.Increment(ref _batches);
            Interlocked.Add(ref _jobs, group.Count);
            var offset = 0;
            foreach (var (job, done) in group)
            {
                done.SetResult(new GenerationResult(outputs.Skip(offset).Take(job.Prompts.Count).ToList(), constraint));
                offset += job.Prompts.Count;
            }
        }
        catch (Exception e)
        {
            foreach (var (_, done) in group) done.TrySetException(e);
        }
    }

    public void Dispose()
    {
        _queue.Writer.TryComplete();
        _worker.Wait(TimeSpan.FromSeconds(10));
    }
}
