using IcdResearch.Modeling;
using IcdResearch.Text;

namespace IcdResearch.Tuning;

/// <summary>Summary of a fine-tuning run: training outcome, encoding reports, held-out loss before/after.</summary>
public sealed record FineTuneReport(SftResult Training, ParameterCount Parameters, SftEncodingReport TrainData,
    SftEncodingReport? DevData, SftEncodingReport? TestData, double? TestLossBefore, double? TestLossAfter);

/// <summary>
/// The whole `icd finetune` recipe as a library call: load an HF model folder (config.json + safetensors + tokenizer),
/// prepare it for the chosen <see cref="FineTuneMode"/> (LoRA adapters on the fp32 base, QLoRA adapters on an NF4 base,
/// or all weights trainable), encode the data with the model's chat template, train with <see cref="SftTrainer"/>, and
/// save the result: a PEFT adapter folder (LoRA/QLoRA) or a full HF model folder with its tokenizer (full).
/// </summary>
public static class FineTuneRun
{
    /// <remarks>With <c>restart</c> the checkpoints of an interrupted run in <c>outDir</c> are discarded instead of resumed.</remarks>
    public static FineTuneReport Run(string modelDir, IReadOnlyList<SftExample> train, IReadOnlyList<SftExample>? dev,
        string outDir, SftOptions options, IReadOnlyList<SftExample>? test = null, TextWriter? log = null, bool restart = false)
    {
        options.Validate();
        if (train.Count == 0) throw new ArgumentException("the training set holds no examples");
        var output = log ?? Console.Out;
        TorchRuntime.EnsureLoaded();
        var (model, tokenizer) = Inference.ModelFolder.Load(modelDir);
        var checkpoints = Path.Combine(outDir, "checkpoints");
        if (restart && Directory.Exists(checkpoints)) Directory.Delete(checkpoints, recursive: true);
        TorchSharp.torch.manual_seed(options.Seed);   // LoRA A matrices are drawn from the seeded generator
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
