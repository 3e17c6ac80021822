using System.Diagnostics;
using System.Text.Json;
using IcdResearch.Inference;
using IcdResearch.Modeling;
using IcdResearch.Text;
using IcdResearch.Tuning;
using IcdResearch.Inference.Constraints;
using IcdResearch.Progress;

namespace IcdResearch.Pipelines.CodeCentric;

/// <summary>
/// The TorchSharp models of the CCL experiment: the backbone folder (zero-shot) and, per arm, a full fine-tune of a
/// fresh copy of it with <see cref="SftTrainer"/> (the small from-scratch backbone learns more from full fine-tuning
/// than from a rank-8 adapter in a few CPU epochs). A finished arm (runs/ccl/&lt;arm&gt;/final + cost.json) is reused.
/// </summary>
public sealed class CodeCentricModels(string backboneDirectory, CodeCentricOptions options, Action<string>? log = null) : ICodeCentricModels
{
    /// <summary>The experiment's models on the backbone of <paramref name="options"/> (default: the project's pretrained backbone).</summary>
    public static CodeCentricModels Create(CodeCentricOptions options, Action<string>? log = null)
    {
        var dir = options.Backbone ?? DefaultBackbone;
        if (!File.Exists(Path.Combine(dir, "config.json")))
            throw new FileNotFoundException($"backbone not found: {dir}/config.json (pretrain it with `icd pretrain --out {dir}`, or pass --backbone DIR)");
        return new CodeCentricModels(dir, options, log);
    }

    /// <summary>Where `icd pretrain` puts the default backbone.</summary>
    public static string DefaultBackbone => Path.Combine("models", "backbone");

    public ICodeCentricModel Backbone() => Load(backboneDirectory);

    public (ICodeCentricModel Model, TrainingCost Cost) Train(string arm, IReadOnlyList<(string Prompt, string Answer)> examples, int? epochs = null)
    {
        var passes = epochs ?? options.Epochs;
        var runDir = Path.Combine(options.RunsDir, arm);
        var finalDir = Path.Combine(runDir, "final");
        var costFile = Path.Combine(runDir, "cost.json");
        if (File.Exists(Path.Combine(finalDir, "config.json")) && File.Exists(costFile))
        {
            log?.Invoke($"{arm}: reusing {finalDir}");
            return (Load(finalDir), JsonSerializer.Deserialize<TrainingCost>(IO.InputText.ReadAllText(costFile))!);
        }

        TorchRuntime.EnsureLoaded();
        var (model, tokenizer) = Inference.ModelFolder.Load(backboneDirectory);
        var (sequences, report) = new SftEncoder(tokenizer, options.MaxLength).EncodeAll(examples.Select(e => new SftExample(e.Prompt, e.Answer)));
        log?.Invoke($"{arm}: {report}");
        var sft = new SftOptions
        {
            Mode = FineTuneMode.Full, Epochs = passes, LearningRate = options.LearningRate, BatchSize = options.BatchSize,
            MaxLength = options.MaxLength, Seed = options.Seed, EvaluateEachEpoch = false,
        };
        void Save(string dir)
        {
            model.SavePretrained(dir);
            tokenizer.Save(dir);
        }
        var trainer = new SftTrainer(model, (ids, mask) => model.Forward(ids, mask), sft, runDir, Save);
        var sw = Stopwatch.StartNew();
        var result = trainer.Train(sequences, null, tokenizer.PadId);
        sw.Stop();
        if (!File.Exists(Path.Combine(finalDir, "config.json"))) Save(finalDir);
        var cost = new TrainingCost(sequences.Count, report.Tokens, sw.Elapsed.TotalSeconds / passes, passes, result.LastTrainLoss) { OptimizerSteps = result.Steps };
        IO.AtomicFile.WriteAllText(costFile, JsonSerializer.Serialize(cost));
        return (new TorchModel(model, tokenizer, options.GenerationBatchSize), cost);
    }

    TorchModel Load(string dir)
    {
        TorchRuntime.EnsureLoaded();
        var (model, tokenizer) = Inference.ModelFolder.Load(dir);
        return new TorchModel(model, tokenizer, options.GenerationBatchSize);
    }

    /// <summary>Greedy generation with the chat template; an answer prefix is appended after the assistant header.</summary>
    sealed class TorchModel(CausalLM model, ITextTokenizer tokenizer, int batchSize) : ICodeCentricModel
    {
        readonly Generator _generator = new(model, tokenizer);

        public IReadOnlyList<string> Generate(IReadOnlyList<string> prompts, IReadOnlyList<string?>? answerPrefixes, int maxNewTokens)
        {
            var ids = prompts.Select((p, i) => tokenizer.Encode(
                tokenizer.ApplyChatTemplate([new ChatMessage("user", p)], addGenerationPrompt: true) + (answerPrefixes?[i] ?? ""))).ToList();
            var outputs = new string[prompts.Count];
            // Batches of similar length waste little compute on padding.
            var order = Enumerable.Range(0, ids.Count).OrderBy(i => ids[i].Count).ToList();
            long tokens = 0;
            WorkProgress.Run("generation", prompts.Count, "prompts", progress =>
            {
                foreach (var chunk in order.Chunk(batchSize))
                {
                    var generated = _generator.Generate(chunk.Select(i => ids[i]).ToList(), GenerationOptions.Greedy(maxNewTokens));
                    for (int k = 0; k < chunk.Length; k++) outputs[chunk[k]] = generated[k].Text;
                    tokens += generated.Sum(g => g.Tokens.Count);
                    progress.Advance(chunk.Length, $"{tokens / Math.Max(1e-9, progress.Elapsed.TotalSeconds):F0} generated tok/s");
                }
            });
            return outputs;
        }

        public IReadOnlyList<string> GenerateRestricted(IReadOnlyList<string> prompts, IReadOnlyList<string> allowed, int maxNewTokens)
        {
            var constraint = PrefixTrieConstraint.FromStrings(tokenizer, allowed);
            var ids = prompts.Select(p => tokenizer.Encode(tokenizer.ApplyChatTemplate([new ChatMessage("user", p)], addGenerationPrompt: true))).ToList();
            var outputs = new List<string>(prompts.Count);
            WorkProgress.Run("restricted generation", prompts.Count, "prompts", progress =>
            {
                foreach (var chunk in ids.Chunk(batchSize))
                {
                    outputs.AddRange(_generator.Generate(chunk, GenerationOptions.Greedy(maxNewTokens) with { Constraint = constraint }).Select(g => g.Text));
                    progress.Advance(chunk.Length);
                }
            });
            return outputs;
        }
    }
}
