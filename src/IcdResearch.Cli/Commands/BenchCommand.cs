using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using IcdResearch.Data;
using IcdResearch.Modeling;
using IcdResearch.Text;
using IcdResearch.Tuning;
using TorchSharp;

namespace IcdResearch.Cli.Commands;

/// <summary>`icd bench`: matmul GFLOP/s, training throughput and MFU of the default small model, KV-cache speed-up, peak memory.</summary>
public sealed class BenchCommand : ICliCommand
{
    public const string DefaultModel = "models/backbone-small";

    public Command Build()
    {
        var modelDir = new Option<string?>("--model") { Description = $"Model folder to measure (default {DefaultModel} when it exists, else a randomly initialised `small` backbone with a 2,304-token vocabulary)." };
        var batch = new Option<int?>("--batch") { Description = "Training batch size (default: the small preset's)." }.Range(1);
        var context = new Option<int?>("--context") { Description = "Training window in tokens (default: the small preset's)." }.Range(2);
        var steps = new Option<int>("--steps") { Description = "Timed training steps (after one warm-up step).", DefaultValueFactory = _ => 3 }.Range(1);
        var prompt = new Option<int>("--prompt-tokens") { Description = "Prompt length for the generation timing.", DefaultValueFactory = _ => 512 }.Range(1);
        var newTokens = new Option<int>("--new-tokens") { Description = "Tokens generated greedily (no stop tokens).", DefaultValueFactory = _ => 64 }.Range(1);
        var sizes = new Option<string>("--matmul-sizes") { Description = "Comma-separated n of the n×n fp32 matmuls; the best rate is the reference.", DefaultValueFactory = _ => "1024,2048" };
        var checkpoint = new Option<string?>("--checkpoint")
        {
            Description = "Instead of the small-model sections: write a random-weight BF16 checkpoint of this shape (qwen2.5-1.5b: 1.54 B parameters, 3.1 GB) " +
                          "to a temporary folder and load it twice, with NF4 projections (--dtype nf4; target peak RSS ≤ 0.6 bytes/parameter + 1 GB) and bf16 kept " +
                          "(--dtype auto; target peak RSS ≤ 1.3× the size on disk): load time, peak RSS, copy bandwidth and greedy tokens/s " +
                          "against the bandwidth limit. Needs ~4 GB of memory and disk; run it on a quiet machine.",
        };
        checkpoint.AcceptOnlyFromAmong("qwen2.5-1.5b");
        var checkpointFolder = new Option<string?>("--checkpoint-folder") { Description = "With --checkpoint: measure this model folder instead of writing a random one (e.g. a downloaded Qwen2.5-1.5B); it is kept." };
        var command = new Command("bench",
            "Measure this machine's speed and print it as JSON.\n" +
            "Same-run fp32 matmul GFLOP/s; training tokens/s, achieved GFLOP/s (6·N + 12·L·d_attn·T FLOPs per token) and their " +
            "ratio (MFU) for the default small model; greedy generation tokens/s with and without the KV cache; decoding against " +
            "the memory-bandwidth limit (copy bandwidth ÷ weight bytes), prefill tokens/s, shared-prefix sampling of the voting " +
            "rounds vs one at a time and the same batch decoded greedily (their difference: the host-side top-p draws); decode steps run on " +
            "decode_threads (the threads a step's projections, attention and token choices split over: the process's libtorch threads unless ICD_DECODE_THREADS=n; compare ICD_DECODE_THREADS=1); " +
            "decode_steps: one fused step's milliseconds for 1 row and for 8 rows with one shared or 8 own prompts; System A seconds per record; peak RSS. --checkpoint qwen2.5-1.5b instead measures loading (bf16 kept, and straight to NF4) and decoding a real-sized BF16 " +
            "checkpoint. Run it on a quiet machine.\n" +
            "Example: icd bench --steps 5")
            { modelDir, batch, context, steps, prompt, newTokens, sizes, checkpoint, checkpointFolder };
        command.SetAction(parse =>
        {
            // stdout is the JSON report (icd bench > bench.json); progress lines go to stderr.
            using var progressToStderr = IcdResearch.Progress.WorkProgress.WriteLinesTo(Console.Error);
            TorchRuntime.EnsureLoaded();
            if (parse.GetValue(checkpoint) is { } shape)
            {
                var r = CheckpointLoadBenchmark.Run(CheckpointLoadBenchmark.Qwen25_1_5B(), shape, parse.GetValue(checkpointFolder), log: Console.Error);
                JsonObject Load(CheckpointLoadMeasurement m) => new()
                {
                    ["load"] = m.Load, ["loaded_dtype"] = m.LoadedDtype, ["weight_bytes"] = m.WeightBytes,
                    ["load_seconds"] = Math.Round(m.LoadSeconds, 2),
                    ["rss_before_load_mb"] = Math.Round(m.RssBeforeLoad / 1048576.0, 1), ["peak_rss_mb"] = Math.Round(m.PeakRss / 1048576.0, 1),
                    ["peak_rss_bytes_per_parameter"] = Math.Round((double)m.PeakRss / r.Parameters, 3),
                    ["greedy_new_tokens"] = m.NewTokens, ["greedy_tokens_per_second"] = Math.Round(m.GreedyTokensPerSecond, 3),
                    ["bandwidth_limit_tokens_per_second"] = Math.Round(r.BandwidthLimitTokensPerSecond(m), 3),
                    ["fraction_of_bandwidth_limit"] = Math.Round(m.GreedyTokensPerSecond / r.BandwidthLimitTokensPerSecond(m), 3),
                };
                var bf16 = Load(r.Bf16);
                bf16["peak_rss_over_size"] = Math.Round(r.Bf16PeakOverSize, 3);
                bf16["meets_target_1_3"] = r.MeetsBf16Target;
                var nf4 = Load(r.Nf4);
                nf4["target_bytes_0_6_per_parameter_plus_1gb"] = r.Nf4TargetBytes;
                nf4["meets_target_0_6_per_parameter_plus_1gb"] = r.MeetsNf4Target;
                var section = new JsonObject
                {
                    ["torch_threads"] = torch.get_num_threads(),
                    ["load_average_1min"] = LoadAverage(),
                    ["checkpoint"] = new JsonObject
                    {
                        ["shape"] = r.Shape, ["parameters"] = r.Parameters, ["bytes_on_disk"] = r.BytesOnDisk,
                        ["copy_bytes_per_second"] = Math.Round(r.CopyBytesPerSecond),
                        ["bf16_kept"] = bf16,
                        ["nf4"] = nf4,
                    },
                };
                parse.InvocationConfiguration.Output.WriteLine(section.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
                return 0;
            }
            var preset = BackbonePreset.Small;
            var dir = parse.GetValue(modelDir) ?? (Directory.Exists(DefaultModel) ? DefaultModel : null);
            ITextTokenizer tokenizer;
            CausalLM model;
            if (dir is not null)
            {
                (model, tokenizer) = IcdResearch.Inference.ModelFolder.Load(dir);
            }
            else
            {
                tokenizer = CharTokenizer.Build(Ccl25Dataset.Synthetic().TrainRaw.Select(r => r.FullText()), minFrequency: 1);
                model = new CausalLM(preset.ModelConfig(2304, tokenizer.EosId, tokenizer.PadId), seed: 0);
            }
            var b = parse.GetValue(batch) ?? preset.Training.Train.BatchSize;
            var t = parse.GetValue(context) ?? preset.Training.Context;

            var matmulSizes = parse.GetValue(sizes)!.Split(',').Select(s => int.TryParse(s.Trim(), out var n) && n > 0 ? n
                : throw new ArgumentException($"--matmul-sizes: '{IcdResearch.Data.Excerpt.Of(s.Trim(), 20)}' is not a positive integer")).ToArray();
            var matmul = Benchmark.MatmulGflops(matmulSizes);
            var training = Benchmark.Training(model, b, t, parse.GetValue(steps));
            var generation = Benchmark.Generation(model, tokenizer, parse.GetValue(prompt), parse.GetValue(newTokens));
            var decoding = Benchmark.Decoding(model, tokenizer, parse.GetValue(prompt), parse.GetValue(newTokens));
            var c = model.Config;

            var report = new JsonObject
            {
                ["torch_threads"] = torch.get_num_threads(),
                ["load_average_1min"] = LoadAverage(),
                ["matmul_gflops"] = Math.Round(matmul, 2),
                ["matmul_sizes"] = new JsonArray(matmulSizes.Select(n => (JsonNode)n).ToArray()),
                ["model"] = new JsonObject
                {
                    ["source"] = dir ?? "random init (small preset)",
                    ["parameters"] = model.parameters().Sum(p => p.numel()),
                    ["hidden_size"] = c.HiddenSize, ["layers"] = c.NumHiddenLayers, ["heads"] = c.NumAttentionHeads,
                    ["kv_heads"] = c.KeyValueHeads, ["vocab_size"] = c.VocabSize,
                },
                ["training"] = new JsonObject
                {
                    ["batch_size"] = training.BatchSize, ["context"] = training.Context, ["steps"] = training.Steps,
                    ["seconds"] = Math.Round(training.Seconds, 3),
                    ["tokens_per_second"] = Math.Round(training.TokensPerSecond, 1),
                    ["flops_per_token"] = training.FlopsPerToken,
                    ["flops_formula"] = "6*N (all parameters; tied embedding = LM head matmul) + 12*layers*heads*head_dim*context (attention, PaLM appendix B)",
                    ["gflops"] = Math.Round(training.Gflops, 2),
                },
                ["mfu_vs_matmul"] = Math.Round(training.Gflops / matmul, 3),
                ["generation"] = new JsonObject
                {
                    ["prompt_tokens"] = generation.PromptTokens, ["new_tokens"] = generation.NewTokens,
                    ["kv_cache_tokens_per_second"] = Math.Round(generation.CachedTokensPerSecond, 2),
                    ["no_cache_tokens_per_second"] = Math.Round(generation.UncachedTokensPerSecond, 2),
                    ["kv_cache_speedup"] = Math.Round(generation.Speedup, 2),
                },
                ["decoding"] = new JsonObject
                {
                    ["copy_bandwidth_gb_per_s"] = Math.Round(decoding.CopyBytesPerSecond / 1e9, 2),
                    ["weight_mb"] = Math.Round(decoding.WeightBytes / 1e6, 2),
                    ["bandwidth_limit_tokens_per_second"] = Math.Round(decoding.BandwidthLimitTokensPerSecond, 1),
                    ["greedy_decode_tokens_per_second"] = Math.Round(decoding.DecodeTokensPerSecond, 1),
                    ["fraction_of_limit"] = Math.Round(decoding.FractionOfLimit, 3),
                    ["prefill_tokens_per_second"] = Math.Round(decoding.PrefillTokensPerSecond, 1),
                    ["decode_threads"] = Inference.DecodeThreads.For(),
                    ["sampling_rounds"] = decoding.Rounds,
                    ["shared_prefix_tokens_per_second"] = Math.Round(decoding.SharedPrefixTokensPerSecond, 1),
                    ["sequential_tokens_per_second"] = Math.Round(decoding.SequentialTokensPerSecond, 1),
                    ["shared_prefix_speedup"] = Math.Round(decoding.SharedPrefixSpeedup, 2),
                    ["shared_prefix_greedy_tokens_per_second"] = Math.Round(decoding.SharedPrefixGreedyTokensPerSecond, 1),
                },
            };
            foreach (var section in Sections()) report[section.Name] = JsonSerializer.SerializeToNode(section.Measure(model));
            report["peak_rss_mb"] = Benchmark.PeakRssBytes() is { } rss ? Math.Round(rss / 1048576.0, 1) : null;
            parse.InvocationConfiguration.Output.WriteLine(report.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
            model.Dispose();
            return 0;
        });
        return command;
    }

    /// <summary>Extra sections (<see cref="IBenchmarkSection"/>) from the library and the CLI, e.g. the QLoRA memory report.</summary>
    static IEnumerable<IBenchmarkSection> Sections() =>
        new[] { typeof(IBenchmarkSection).Assembly, typeof(BenchCommand).Assembly }.Distinct()
            .SelectMany(a => a.GetTypes())
            .Where(t => typeof(IBenchmarkSection).IsAssignableFrom(t) && t is { IsAbstract: false, IsInterface: false } && t.GetConstructor(Type.EmptyTypes) is not null)
            .OrderBy(t => t.FullName, StringComparer.Ordinal)
            .Select(t => (IBenchmarkSection)Activator.CreateInstance(t)!);

    static double? LoadAverage() =>
        File.Exists("/proc/loadavg") && double.TryParse(File.ReadAllText("/proc/loadavg").Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture, out var l) ? l : null;
}
