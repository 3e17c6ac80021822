using System.Diagnostics;
using IcdResearch.Inference;
using IcdResearch.Modeling;
using IcdResearch.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace IcdResearch.Tuning;

/// <summary>Training throughput of a model: tokens/s and model FLOP/s (formula in <see cref="Benchmark.TrainingFlopsPerToken"/>).</summary>
public sealed record TrainingThroughput(int BatchSize, int Context, int Steps, double Seconds, double TokensPerSecond, double FlopsPerToken, double Gflops);

/// <summary>Greedy generation speed for one prompt, with and without the KV cache.</summary>
public sealed record GenerationThroughput(int PromptTokens, int NewTokens, double CachedSeconds, double UncachedSeconds)
{
    public double CachedTokensPerSecond => NewTokens / CachedSeconds;
    public double UncachedTokensPerSecond => NewTokens / UncachedSeconds;
    public double Speedup => UncachedSeconds / CachedSeconds;
}

/// <summary>
/// Decoding against this machine's limit: a batch-1 decode step reads every weight once, so
/// <see cref="BandwidthLimitTokensPerSecond"/> = copy bandwidth ÷ weight bytes bounds single-sequence decoding.
/// Shared-prefix sampling is <see cref="Rounds"/> rounds of one prompt as one batch (prefilled once), against the same
/// rounds generated one after another (each with its own prefill). <see cref="SharedPrefixGreedySeconds"/> decodes the
/// same batch greedily: the difference to <see cref="SharedPrefixSeconds"/> is what the host-side top-p draws cost.
/// </summary>
public sealed record DecodingThroughput(
    double CopyBytesPerSecond, long WeightBytes, int PromptTokens, int NewTokens,
    double PrefillSeconds, double DecodeSecondsPerToken, int Rounds, double SharedPrefixSeconds, double SequentialSeconds,
    double SharedPrefixGreedySeconds)
{
    public double BandwidthLimitTokensPerSecond => CopyBytesPerSecond / WeightBytes;
    public double DecodeTokensPerSecond => 1 / DecodeSecondsPerToken;
    public double FractionOfLimit => DecodeTokensPerSecond / BandwidthLimitTokensPerSecond;
    public double PrefillTokensPerSecond => PromptTokens / PrefillSeconds;
    public double SharedPrefixTokensPerSecond => Rounds * NewTokens / SharedPrefixSeconds;
    public double SharedPrefixGreedyTokensPerSecond => Rounds * NewTokens / SharedPrefixGreedySeconds;
    public double SequentialTokensPerSecond => Rounds * NewTokens / SequentialSeconds;
    public double SharedPrefixSpeedup => SequentialSeconds / SharedPrefixSeconds;
}

/// <summary>
/// The measurements of <c>icd bench</c> (issue #3): fp32 matmul throughput of this machine, training throughput of a
/// model and its model FLOP utilisation against that matmul rate, KV-cache generation speed-up, peak memory.
/// </summary>
public static class Benchmark
{
    /// <summary>
    /// Best fp32 GFLOP/s of an n×n by n×n matmul (2n³ FLOPs), each size repeated for at least <paramref name="secondsPerSize"/>.
    /// </summary>
    public static double MatmulGflops(IEnumerable<int> sizes, double secondsPerSize = 1.0)
    {
        TorchRuntime.EnsureLoaded();
        var best = 0.0;
        foreach (var n in sizes)
        {
            using var a = randn(n, n);
            using var b = randn(n, n);
            a.matmul(b).Dispose(); // warm-up (allocations, thread pool)
            var clock = Stopwatch.StartNew();
            var reps = 0;
            do { a.matmul(b).Dispose(); reps++; } while (clock.Elapsed.TotalSeconds < secondsPerSize);
            best = Math.Max(best, 2.0 * n * n * n * reps / clock.Elapsed.TotalSeconds / 1e9);
        }
        return best;
    }

    /// <summary>
    /// Training FLOPs per token: 6·N for the weight matmuls forward and backward, where N counts every parameter (with
    /// tied embeddings the embedding matrix is also the LM head, a real V×d matmul), plus 12·L·d_attn·T for the attention
    /// scores and weighted values (forward 4·T·d_attn per layer, ×3 with backward), the PaLM appendix-B formula.
    /// Norm weights and biases are counted in N too (negligible).
    /// </summary>
    public static double TrainingFlopsPerToken(CausalLM model, int context)
    {
        var n = model.parameters().Sum(p => (double)p.numel());
        var c = model.Config;
        return 6 * n + 12.0 * c.NumHiddenLayers * c.NumAttentionHeads * c.HeadDim * context;
    }

    /// <summary>Times <paramref name="steps"/> AdamW training steps on random tokens (after one warm-up step).</summary>
    public static TrainingThroughput Training(CausalLM model, int batchSize, int context, int steps)
    {
        TorchRuntime.EnsureLoaded();
        var optimizer = optim.AdamW(model.parameters(), 1e-4);
        model.train();
        var generator = new torch.Generator(0);
        double seconds = 0;
        for (var step = -1; step < steps; step++)
        {
            using var scope = NewDisposeScope();
            var x = randint(0, model.Config.VocabSize, [batchSize, context], dtype: ScalarType.Int64, generator: generator);
            var y = randint(0, model.Config.VocabSize, [batchSize, context], dtype: ScalarType.Int64, generator: generator);
            var clock = Stopwatch.StartNew();
            var logits = model.Forward(x);
            var loss = nn.functional.cross_entropy(logits.view(-1, logits.shape[^1]), y.view(-1));
            optimizer.zero_grad();
            loss.backward();
            nn.utils.clip_grad_norm_(model.parameters(), 1.0);
            optimizer.step();
            if (step >= 0) seconds += clock.Elapsed.TotalSeconds;
        }
        model.eval();
        var tokensPerSecond = (double)batchSize * context * steps / seconds;
        var flops = TrainingFlopsPerToken(model, context);
        return new TrainingThroughput(batchSize, context, steps, seconds, tokensPerSecond, flops, tokensPerSecond * flops / 1e9);
    }

    /// <summary>Greedy decoding of <paramref name="newTokens"/> tokens after a random prompt, with and without the KV cache.</summary>
    public static GenerationThroughput Generation(CausalLM model, ITextTokenizer tokenizer, int promptTokens, int newTokens)
    {
        var random = new Random(0);
        var prompt = Enumerable.Range(0, promptTokens).Select(_ => random.Next(0, tokenizer.VocabSize)).ToList();
        var generator = new Inference.Generator(model, tokenizer);
        double Time(bool cache)
        {
            var options = GenerationOptions.Greedy(newTokens) with { UseCache = cache, StopIds = [] };
            generator.Generate([prompt], GenerationOptions.Greedy(2) with { UseCache = cache, StopIds = [] }); // warm-up
            var clock = Stopwatch.StartNew();
            var output = generator.Generate([prompt], options);
            if (output[0].Tokens.Count != newTokens) throw new InvalidOperationException($"generated {output[0].Tokens.Count} tokens instead of {newTokens}");
            return clock.Elapsed.TotalSeconds;
        }
        return new GenerationThroughput(promptTokens, newTokens, Time(cache: true), Time(cache: false));
    }

    /// <summary>
    /// Memory bandwidth as bytes copied per second by <c>copy_</c> of a <paramref name="megabytes"/> MB fp32 tensor (far
    /// larger than the caches), best of repeated copies over at least <paramref name="seconds"/>.
    /// </summary>
    public static double CopyBytesPerSecond(int megabytes = 256, double seconds = 1.0)
    {
        TorchRuntime.EnsureLoaded();
        var n = megabytes * 1024L * 1024 / sizeof(float);
        using var source = ones(n);
        using var target = empty(n);
        target.copy_(source);   // warm-up: pages faulted in
        var best = 0.0;
        var total = Stopwatch.StartNew();
        do
        {
            var clock = Stopwatch.StartNew();
            target.copy_(source);
            best = Math.Max(best, n * sizeof(float) / clock.Elapsed.TotalSeconds);
        } while (total.Elapsed.TotalSeconds < seconds);
        return best;
    }

    /// <summary>
    /// Single-sequence greedy decoding after a random <paramref name="promptTokens"/>-token prompt (prefill time = a
    /// one-token generation; per-token decode time = the time from the first token choice of a
    /// <paramref name="newTokens"/>-token generation to its last, over the <paramref name="newTokens"/> − 1 decode steps
    /// between them, each step with its host-side choice: no prefill in it, whose run-to-run noise swamped the earlier
    /// estimate, the difference of two prefill-dominated generations), and
    /// <paramref name="rounds"/> seeded samples of that prompt (temperature 0.8, top-p 0.95, as System A's voting rounds)
    /// as one shared-prefix batch versus one at a time. Each timing is the best of <paramref name="repeats"/>.
    /// </summary>
    public static DecodingThroughput Decoding(CausalLM model, ITextTokenizer tokenizer, int promptTokens, int newTokens, int rounds = 8, int repeats = 2)
    {
        if (newTokens < 2) throw new ArgumentException("newTokens must be ≥ 2");
        var bandwidth = CopyBytesPerSecond();
        var random = new Random(0);
        var prompt = Enumerable.Range(0, promptTokens).Select(_ => random.Next(0, tokenizer.VocabSize)).ToList();
        var generator = new Inference.Generator(model, tokenizer);
        var greedy = GenerationOptions.Greedy(newTokens) with { StopIds = [] };
        var sampling = new GenerationOptions { MaxNewTokens = newTokens, DoSample = true, Temperature = 0.8, TopP = 0.95, StopIds = [] };
        double Best(Action run)
        {
            run();   // warm-up
            var best = double.MaxValue;
            for (var r = 0; r < repeats; r++)
            {
                var clock = Stopwatch.StartNew();
                run();
                best = Math.Min(best, clock.Elapsed.TotalSeconds);
            }
            return best;
        }
        var prefill = Best(() => generator.Generate([prompt], greedy with { MaxNewTokens = 1 }));
        double SecondsPerStep()
        {
            var clock = new StepClock(model.Config.VocabSize);
            generator.Generate([prompt], greedy with { Constraint = clock });
            return clock.SecondsPerStep;
        }
        SecondsPerStep();   // warm-up, as in Best
        var perToken = Enumerable.Range(0, repeats).Min(_ => SecondsPerStep());
        var shared = Best(() => generator.Generate(Enumerable.Repeat((IReadOnlyList<int>)prompt, rounds).ToList(), sampling));
        var sequential = Best(() =>
        {
            for (var i = 0; i < rounds; i++) generator.Generate([prompt], sampling with { Seed = sampling.Seed + i });
        });
        var sharedGreedy = Best(() => generator.Generate(Enumerable.Repeat((IReadOnlyList<int>)prompt, rounds).ToList(), greedy));
        return new DecodingThroughput(bandwidth, model.WeightBytes, promptTokens, newTokens, prefill, Math.Max(1e-9, perToken),
            rounds, shared, sequential, sharedGreedy);
    }

    /// <summary>
    /// Allows every token and notes when the generator asks, which it does once before each token choice: the span from
    /// the first ask (right after the prefill) to the last covers the decode steps in between with their choices.
    /// </summary>
    sealed class StepClock(int vocabSize) : Inference.Constraints.IDecodingConstraint
    {
        readonly int[] _all = Enumerable.Range(0, vocabSize).ToArray();
        long _first, _last;
        int _asks;

        public double SecondsPerStep => _asks < 2 ? double.NaN : (double)(_last - _first) / Stopwatch.Frequency / (_asks - 1);
        public int Start => 0;
        public IReadOnlyList<int> AllowedTokens(int state)
        {
            _last = Stopwatch.GetTimestamp();
            if (_asks++ == 0) _first = _last;
            return _all;
        }
        public bool CanStop(int state) => true;
        public int Advance(int state, int token) => 0;
    }

    /// <summary>Peak resident set size of this process (VmHWM), in bytes; null where /proc is unavailable.</summary>
    public static long? PeakRssBytes()
    {
        const string status = "/proc/self/status";
        if (!File.Exists(status)) return null;
        var line = File.ReadLines(status).FirstOrDefault(l => l.StartsWith("VmHWM:"));
        return line is null ? null : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
    }
}
