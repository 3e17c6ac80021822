using System.CommandLine;
using System.Text.Json;
using IcdResearch.Data;
using IcdResearch.Tuning;

namespace IcdResearch.Cli.Commands;

/// <summary>`icd pretrain`: pretrain the default backbone (Qwen2 architecture, character vocabulary) from scratch on clinical text.</summary>
public sealed class PretrainCommand : ICliCommand
{
    public Command Build()
    {
        var output = CommonOptions.Out("Model folder to write (config.json, model.safetensors, char_vocab.json, tokenizer_config.json, pretrain_report.json). An interrupted run resumes from OUT/checkpoints.");
        var size = new Option<string>("--size") { Description = "tiny (tests, seconds), small (the default backbone, ≤ 20 min on 2 cores) or base (≈ 3× small, the scale curve's larger size, < 1 h on 2 cores).", DefaultValueFactory = _ => "small" };
        var data = CommonOptions.Data();
        var seed = CommonOptions.Seed();
        var steps = new Option<int?>("--steps") { Description = "Optimizer steps (default: the size's preset)." }.Range(1);
        var batch = new Option<int?>("--batch") { Description = "Windows per batch (default: the size's preset)." }.Range(1);
        var context = new Option<int?>("--context") { Description = "Tokens per window (default: the size's preset)." }.Range(2, 1_000_000);
        var lr = new Option<double?>("--lr") { Description = "Peak learning rate (default: the size's preset)." }.Range(0.0, 10.0, minExclusive: true);
        var restart = new Option<bool>("--restart") { Description = "Discard the checkpoints of an interrupted run in OUT instead of resuming it (a resume with other settings or data is refused)." };
        var split = new Option<string?>("--split") { Description = $"Split file whose test and dev records are excluded from the corpus (default {Splits.DefaultPath}; for synthetic data the split is recomputed)." };
        var keep = new Option<bool>("--keep-checkpoints") { Description = "Keep OUT/checkpoints after a successful run (deleted by default)." };
        var command = new Command("pretrain",
            "Pretrain the project's default backbone on clinical text.\n" +
            "CCL25 training-split and test-a texts, DCCNCE names and CHIP-CDN train mentions (never test-split records), with " +
            "AdamW, warm-up + cosine, gradient clipping, held-out loss and resumable checkpoints.\n" +
            "Example: icd pretrain --size small --out models/backbone-small")
            { output, size, data, seed, steps, batch, context, lr, split, keep, restart };
        CommonOptions.Output(command, output, folder: true);
        command.SetAction(parse =>
        {
            var preset = BackbonePreset.Get(parse.GetValue(size)!);
            var o = preset.Training with { Train = preset.Training.Train with { Seed = parse.GetValue(seed) } };
            if (parse.GetValue(steps) is { } s) o = o with { Steps = s, Train = o.Train with { WarmupSteps = Math.Min(o.Train.WarmupSteps ?? 0, Math.Max(1, s / 10)) } };
            if (parse.GetValue(batch) is { } b) o = o with { Train = o.Train with { BatchSize = b } };
            if (parse.GetValue(context) is { } c) o = o with { Context = c };
            if (parse.GetValue(lr) is { } l) o = o with { Train = o.Train with { LearningRate = l } };
            o.Validate();

            var dataset = Ccl25Dataset.Load(parse.GetValue(data));
            var excluded = ExcludedRecords(dataset, parse.GetValue(split), o.Train.Seed);
            var chipPath = Path.Combine(DataDirectory.Resolve(parse.GetValue(data)), "chip-cdn", "train.json");
            var chip = !dataset.IsSynthetic && File.Exists(chipPath) ? ChipCdn.Load(chipPath) : null;
            var corpus = PretrainingCorpus.Build(dataset, excluded, chip, seed: o.Train.Seed);
            Console.Error.WriteLine($"corpus: {corpus.Train.Count} train documents ({corpus.TrainCharacters:N0} chars), {corpus.HeldOut.Count} held out ({corpus.HeldOutCharacters:N0} chars); {excluded.Count} test/dev records excluded");

            var report = BackbonePretraining.Run(parse.GetValue(output)!, preset, corpus, o, keepCheckpoints: parse.GetValue(keep), restart: parse.GetValue(restart));
            parse.InvocationConfiguration.Output.WriteLine(JsonSerializer.Serialize(new
            {
                size = report.Size, parameters = report.Parameters, vocab_size = report.VocabSize,
                train_tokens = report.TrainTokens, held_out_tokens = report.HeldOutTokens, steps = report.Result.Steps,
                seconds = Math.Round(report.Result.Seconds, 1), tokens_per_second = Math.Round(report.Result.TokensPerSecond),
                train_loss = Math.Round(report.Result.TrainLoss, 4), held_out_loss = Math.Round(report.Result.HeldOutLoss, 4),
                held_out_perplexity = Math.Round(report.Result.HeldOutPerplexity, 3), synthetic = report.SyntheticData,
            }));
            return 0;
        });
        return command;
    }

    /// <summary>Test and dev record ids of the split (recomputed with the seed for synthetic data).</summary>
    static IReadOnlySet<string> ExcludedRecords(Ccl25Dataset data, string? splitPath, int seed)
    {
        return Splits.For(data, splitPath, seed).HeldOutFromPretraining();
    }
}
