using System.CommandLine;
using IcdResearch.Tuning;

namespace IcdResearch.Cli.Commands;

/// <summary>`icd finetune`: LoRA / QLoRA / full supervised fine-tuning of an HF model folder on alpaca-format data.</summary>
public sealed class FinetuneCommand : ICliCommand
{
    public Command Build()
    {
        var d = new SftOptions();
        var model = new Option<string>("--model") { Description = "HF model folder: config.json, model.safetensors (or shards), tokenizer files.", Required = true };
        var train = new Option<string>("--train") { Description = "Training data, LLaMA-Factory alpaca JSON ([{instruction, input, output, system?}]; prompt = instruction + \"\\n\" + input).", Required = true };
        var dev = new Option<string?>("--dev") { Description = "Dev data (same format): evaluated before training and after every epoch; the best epoch is kept in OUT/best." };
        var test = new Option<string?>("--test") { Description = "Held-out data (same format): loss reported before training and for the kept model; never used for selection." };
        var output = CommonOptions.Out("Output folder: best/ and final/ (PEFT adapter, or full model for --mode full), checkpoints/ (resume), sft-metrics.json. Rerunning the same command resumes from the last checkpoint.");
        var mode = new Option<string>("--mode") { Description = "lora (adapters on the fp32 base), qlora (adapters on an NF4-quantised base; system paper Table 1), or full (all weights).", DefaultValueFactory = _ => d.Mode.ToString().ToLowerInvariant() };
        var epochs = new Option<int>("--epochs") { Description = "Training epochs (Table 1: 10).", DefaultValueFactory = _ => d.Epochs }.Range(1);
        var batch = new Option<int>("--batch-size") { Description = "Examples per micro-batch (Table 1: 2).", DefaultValueFactory = _ => d.Train.BatchSize }.Range(1);
        var accumulation = new Option<int>("--grad-accum") { Description = "Micro-batches per optimizer step; the loss is token-weighted over the window.", DefaultValueFactory = _ => d.GradientAccumulation }.Range(1);
        var lr = new Option<double>("--lr") { Description = "Peak learning rate of AdamW (Table 1: 1e-4).", DefaultValueFactory = _ => d.Train.LearningRate }.Range(0.0, 10.0, minExclusive: true);
        var decay = new Option<string>("--lr-decay") { Description = "Decay after warm-up: cosine, linear or constant.", DefaultValueFactory = _ => d.Decay.ToString().ToLowerInvariant() };
        var warmupRatio = new Option<double>("--warmup-ratio") { Description = "Fraction of all optimizer steps used for linear warm-up.", DefaultValueFactory = _ => d.WarmupRatio }.Range(0.0, 1.0);
        var warmupSteps = new Option<int?>("--warmup-steps") { Description = "Warm-up steps (overrides --warmup-ratio)." }.Range(0);
        var minLr = new Option<double>("--min-lr-ratio") { Description = "Final learning rate as a fraction of the peak.", DefaultValueFactory = _ => d.Train.MinLearningRateRatio }.Range(0.0, 1.0);
        var weightDecay = new Option<double>("--weight-decay") { Description = "AdamW decoupled weight decay.", DefaultValueFactory = _ => d.Train.WeightDecay }.Range(0.0, 10.0);
        var clip = new Option<double>("--max-grad-norm") { Description = "Clip the global gradient norm to this value (0 = off).", DefaultValueFactory = _ => d.Train.MaxGradNorm }.Range(0.0, 1e6);
        var maxLength = new Option<int>("--max-length") { Description = "Max tokens per example (Table 1: 5120). Longer prompts lose tokens from the middle; answers are never cut (examples whose answer alone does not fit are skipped and counted).", DefaultValueFactory = _ => d.MaxLength }.Range(2);
        var rank = new Option<int>("--lora-rank") { Description = "LoRA rank r.", DefaultValueFactory = _ => d.Lora.Rank }.Range(1);
        var alpha = new Option<double>("--lora-alpha") { Description = "LoRA alpha (scaling alpha/r).", DefaultValueFactory = _ => d.Lora.Alpha }.Range(0.0, 1e6, minExclusive: true);
        var dropout = new Option<double>("--lora-dropout") { Description = "Dropout on the LoRA branch input (Table 1: 0.05).", DefaultValueFactory = _ => d.Lora.Dropout }.Range(0.0, 1.0, maxExclusive: true);
        var targets = new Option<string>("--lora-target") { Description = "Comma-separated projections to adapt.", DefaultValueFactory = _ => string.Join(",", d.Lora.TargetModules) };
        var saveEvery = new Option<int>("--save-steps") { Description = "Also checkpoint every N optimizer steps (0 = end of each epoch only).", DefaultValueFactory = _ => d.Train.SaveEverySteps }.Range(0);
        var maxSteps = new Option<int?>("--max-steps") { Description = "Stop after this many optimizer steps in total (with a checkpoint; rerun to continue)." }.Range(1);
        var restart = new Option<bool>("--restart") { Description = "Discard the checkpoints of an interrupted run in OUT instead of resuming it (a resume with other settings, data or base model is refused)." };
        var seed = CommonOptions.Seed(d.Train.Seed);

        var command = new Command("finetune",
            "Fine-tune a model on (prompt, answer) pairs, with loss on the answer tokens only.\n" +
            "Uses the model's chat template. Defaults follow the system paper's Table 1 (QLoRA, 10 epochs, LoRA dropout 0.05, " +
            "AdamW, batch 2, max length 5120, lr 1e-4). Adapters are written in the Hugging Face PEFT layout, so they load in " +
            "PEFT/LLaMA-Factory and vice versa.\n" +
            "Example: icd finetune --model models/default/backbone --train sft/ccl25-primary-name-train.json --out runs/primary")
        {
            model, train, dev, test, output, mode, epochs, batch, accumulation, lr, decay, warmupRatio, warmupSteps, minLr,
            weightDecay, clip, maxLength, rank, alpha, dropout, targets, saveEvery, maxSteps, seed, restart,
        };
        CommonOptions.Output(command, output, folder: true);
        command.SetAction(parse =>
        {
            var options = new SftOptions
            {
                Train = new TrainArgs
                {
                    BatchSize = parse.GetValue(batch),
                    LearningRate = parse.GetValue(lr),
                    WarmupSteps = parse.GetValue(warmupSteps),
                    MinLearningRateRatio = parse.GetValue(minLr),
                    WeightDecay = parse.GetValue(weightDecay),
                    MaxGradNorm = parse.GetValue(clip),
                    Seed = parse.GetValue(seed),
                    SaveEverySteps = parse.GetValue(saveEvery),
                    MaxSteps = parse.GetValue(maxSteps),
                },
                Mode = ParseMode(parse.GetValue(mode)!),
                Epochs = parse.GetValue(epochs),
                GradientAccumulation = parse.GetValue(accumulation),
                Decay = LearningRateSchedule.ParseDecay(parse.GetValue(decay)!),
                WarmupRatio = parse.GetValue(warmupRatio),
                MaxLength = parse.GetValue(maxLength),
                Lora = new LoraConfig
                {
                    Rank = parse.GetValue(rank),
                    Alpha = parse.GetValue(alpha),
                    Dropout = parse.GetValue(dropout),
                    TargetModules = parse.GetValue(targets)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
                },
            }.Validate();
            var devPath = parse.GetValue(dev);
            var testPath = parse.GetValue(test);
            var trainPath = parse.GetValue(train)!;
            var trainSet = LlamaFactoryExport.Read(trainPath);
            if (trainSet.Count == 0) throw new IcdResearch.Data.DataFormatException(trainPath, "holds no examples (an empty array): nothing to train on");
            var report = FineTuneRun.Run(parse.GetValue(model)!, trainSet,
                devPath is null ? null : LlamaFactoryExport.Read(devPath), parse.GetValue(output)!, options,
                testPath is null ? null : LlamaFactoryExport.Read(testPath), restart: parse.GetValue(restart));
            var r = report.Training;
            Console.WriteLine($"steps {r.Steps}/{r.TotalSteps}{(r.Completed ? "" : " (stopped early; rerun to resume)")}; " +
                              $"dev loss {Fmt(r.DevLossBefore)} -> best {Fmt(r.BestDevLoss)}; test loss {Fmt(report.TestLossBefore)} -> {Fmt(report.TestLossAfter)}");
            return 0;
        });
        return command;
    }

    static string Fmt(double? v) => v is { } x ? x.ToString("F4", System.Globalization.CultureInfo.InvariantCulture) : "n/a";

    static FineTuneMode ParseMode(string text) => text.Trim().ToLowerInvariant() switch
    {
        "lora" => FineTuneMode.Lora,
        "qlora" => FineTuneMode.QLora,
        "full" => FineTuneMode.Full,
        _ => throw new ArgumentException($"unknown --mode '{text}' (expected lora, qlora or full)"),
    };
}
