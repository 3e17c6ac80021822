using System.Diagnostics;
using System.Text.Json;
using IcdResearch.Modeling;
using IcdResearch.Text;

namespace IcdResearch.Tuning;

/// <summary>Summary of a fine-tuning run: training outcome, encoding reports, held-out loss before/after.</summary>
public sealed record FineTuneReport(SftResult Training, ParameterCount Parameters, SftEncodingReport TrainData,
    SftEncodingReport? DevData, SftEncodingReport? TestData, double? TestLossBefore, double? TestLossAfter);

/// <summary>
/// The one fine-tuner: `icd finetune`, every System A model and every Code-Centric Learning arm train through it.
/// <see cref="Ensure"/> adds what experiments need around <see cref="Run"/>: a finished folder is reused when its
/// training fingerprint (base model, options, examples) matches, an interrupted one with the same fingerprint resumes,
/// anything else retrains from scratch. <see cref="Run"/> is the whole `icd finetune` recipe as a library call: load an HF model folder (config.json + safetensors + tokenizer),
/// prepare it for the chosen <see cref="FineTuneMode"/> (LoRA adapters on the fp32 base, QLoRA adapters on an NF4 base,
/// or all weights trainable), encode the data with the model's chat template, train with <see cref="SftTrainer"/>, and
/// save the result: a PEFT adapter folder (LoRA/QLoRA) or a full HF model folder with its tokenizer (full).
/// </summary>
public static class FineTuneRun
{
    /// <summary>
    /// Fine-tunes <paramref name="baseModel"/> on (prompt, answer) pairs into <paramref name="directory"/>, or reuses the
    /// finished folder when it was trained on the same base model, options and examples (unless <paramref name="force"/>).
    /// Returns the run's cost (recorded in the folder, so a reused model reports the cost of its training). Reuse
    /// decisions go to <paramref name="log"/>, the training's own messages and progress to <paramref name="trainingLog"/>
    /// (null: stdout, with the other progress steps).
    /// </summary>
    public static TrainingCost Ensure(string name, string baseModel, string directory, IReadOnlyList<SftExample> train,
        IReadOnlyList<SftExample> dev, SftOptions options, bool force, TextWriter log, TextWriter? trainingLog = null)
    {
        var fingerprint = TrainingFingerprint.Compute(baseModel, options,
            train.Select(e => (e.Prompt, e.Answer)).Concat([("--dev--", "")]).Concat(dev.Select(e => (e.Prompt, e.Answer))));
        var costFile = Path.Combine(directory, TrainingCost.FileName);
        if (!force && Completed(directory) && Reusable(name, directory, fingerprint, log))
        {
            log.WriteLine($"reusing fine-tuned {name} ({directory})");
            return File.Exists(costFile) ? JsonSerializer.Deserialize<TrainingCost>(IO.InputText.ReadAllText(costFile))! : new TrainingCost(train.Count, 0, double.NaN, options.Epochs, double.NaN);
        }
        // A forced run, a changed fingerprint, or a run interrupted under other settings starts from scratch;
        // an interrupted run with the same fingerprint resumes from its checkpoint.
        if (Directory.Exists(directory) && (force || TrainingFingerprint.Read(directory) != fingerprint))
            Directory.Delete(directory, recursive: true);
        TrainingFingerprint.Write(directory, fingerprint);
        var clock = Stopwatch.StartNew();
        var report = Run(baseModel, train, dev, directory, options, log: trainingLog);
        var cost = new TrainingCost(report.TrainData.Examples, report.TrainData.Tokens, clock.Elapsed.TotalSeconds / options.Epochs, options.Epochs, report.Training.LastTrainLoss)
            { OptimizerSteps = report.Training.Steps };
        IO.AtomicFile.WriteAllText(costFile, JsonSerializer.Serialize(cost));
        return cost;
    }

    /// <summary>
    /// Whether a finished model folder may be reused: yes when its recorded fingerprint matches this run's (or it has
    /// none — made before fingerprints were recorded; said so); no, with the reason, when the settings, the data or
    /// the base model changed since it was trained.
    /// </summary>
    public static bool Reusable(string name, string directory, string fingerprint, TextWriter log)
    {
        var recorded = TrainingFingerprint.Read(directory);
        if (recorded is null)
        {
            log.WriteLine($"note: {name} ({directory}) records no training fingerprint; reusing it as it is (--force retrains)");
            return true;
        }
        if (recorded == fingerprint) return true;
        log.WriteLine($"{name} ({directory}) was trained with other settings, data or base model than this run asks for: retraining it");
        return false;
    }

    /// <summary>A fine-tuning folder is complete when its sft-metrics.json says so and it holds the kept model.</summary>
    public static bool Completed(string directory)
    {
        var metrics = Path.Combine(directory, "sft-metrics.json");
        if (!File.Exists(metrics) || Inference.ModelFolder.Find(directory) is null) return false;
        try
        {
            using var doc = JsonDocument.Parse(IO.InputText.ReadAllText(metrics));
            return doc.RootElement.TryGetProperty("result", out var result) && result.TryGetProperty("Completed", out var c) && c.ValueKind == JsonValueKind.True;
        }
        catch (JsonException e) { throw new Data.DataFormatException(metrics, $"malformed or truncated JSON ({e.Message}); delete the folder or rerun with --force", inner: e); }
    }

    /// <remarks>With <c>restart</c> the checkpoints of an interrupted run in <c>outDir</c> are discarded instead of resumed.</remarks>
    public static FineTuneReport Run(string modelDir, IReadOnlyList<SftExample> train, IReadOnlyList<SftExample>? dev,
        string outDir, SftOptions options, IReadOnlyList<SftExample>? test = null, TextWriter? log = null, bool restart = false)
    {
        options.Validate();
        if (train.Count == 0) throw new ArgumentException("the training set holds no examples");
        var output = log ?? Console.Out;
        TorchRuntime.EnsureLoaded();
        // QLoRA loads the base straight to NF4 (fp32 embeddings and norms, as before): the dense projections never exist together.
        var (model, tokenizer) = Inference.ModelFolder.Load(modelDir, settings: options.Mode == FineTuneMode.QLora ? new ModelLoadSettings(Nf4Projections: true) : null);
        var checkpoints = Path.Combine(outDir, "checkpoints");
        if (restart && Directory.Exists(checkpoints)) Directory.Delete(checkpoints, recursive: true);
        TorchSharp.torch.manual_seed(options.Train.Seed);   // LoRA A matrices are drawn from the seeded generator
        Prepare(model, options);
        var parameters = LoraInjector.CountParameters(model);
        output.WriteLine($"{options.Mode}: {parameters}");

        var encoder = new SftEncoder(tokenizer, options.MaxLength);
        var (trainSeqs, trainReport) = encoder.EncodeAll(train);
        output.WriteLine($"train: {trainReport}");
        (List<SftSequence> Sequences, SftEncodingReport Report)? devSet = dev is { Count: > 0 } ? encoder.EncodeAll(dev) : null;
        if (devSet is not null) output.WriteLine($"dev: {devSet.Value.Report}");
        (List<SftSequence> Sequences, SftEncodingReport Report)? testSet = test is { Count: > 0 } ? encoder.EncodeAll(test) : null;
        if (testSet is not null) output.WriteLine($"test: {testSet.Value.Report}");

        // best/ and final/ are written whole or not at all (a temporary folder renamed into place).
        void Save(string dir) => IO.AtomicFile.WriteDirectory(dir, temp =>
        {
            if (options.Mode == FineTuneMode.Full)
            {
                model.SavePretrained(temp);
                tokenizer.Save(temp);
            }
            else PeftAdapter.Save(model, temp, Path.GetFullPath(modelDir));
        });

        var trainer = new SftTrainer(model, (ids, mask) => model.Forward(ids, mask), options, outDir, Save, log,
            RunFingerprint.BaseModelIdentity(modelDir));
        double? testBefore = testSet is null ? null : trainer.Evaluate(testSet.Value.Sequences, tokenizer.PadId);
        var result = trainer.Train(trainSeqs, devSet?.Sequences, tokenizer.PadId);
        double? testAfter = null;
        if (testSet is not null && result.Completed)
        {
            // Held-out loss of the kept model: the best dev epoch when there is a dev set, else the final weights.
            var best = Path.Combine(outDir, "checkpoints", "best");
            if (Directory.Exists(best)) TrainingCheckpoint.Load(best, model, null);
            testAfter = trainer.Evaluate(testSet.Value.Sequences, tokenizer.PadId);
            output.WriteLine($"test loss {testBefore:F4} -> {testAfter:F4}");
        }
        return new FineTuneReport(result, parameters, trainReport, devSet?.Report, testSet?.Report, testBefore, testAfter);
    }

    /// <summary>Freezes/unfreezes and injects adapters for <paramref name="options"/>.Mode.</summary>
    public static void Prepare(CausalLM model, SftOptions options)
    {
        switch (options.Mode)
        {
            case FineTuneMode.Lora: LoraInjector.Apply(model, options.Lora); break;
            case FineTuneMode.QLora: LoraInjector.Apply(model, options.Lora, quantize: true); break;
            case FineTuneMode.Full: LoraInjector.UnfreezeAll(model); break;
            default: throw new ArgumentOutOfRangeException(nameof(options), options.Mode, "unknown fine-tuning mode");
        }
    }
}
