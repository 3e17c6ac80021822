using System.Text.Json;
using IcdResearch.Data;
using IcdResearch.Modeling;
using IcdResearch.Text;
using static TorchSharp.torch;

namespace IcdResearch.Tuning;

/// <summary>What <c>icd pretrain</c> reports (also written to the model folder as pretrain_report.json).</summary>
public sealed record PretrainReport(
    string Size, long Parameters, int VocabSize, IReadOnlyDictionary<string, CorpusSourceSize> Corpus,
    bool SyntheticData, long TrainTokens, long HeldOutTokens, PretrainOptions Options, PretrainResult Result);

/// <summary>
/// Pretrains the default backbone end to end (issue #3): builds the character vocabulary from the training documents,
/// encodes train and held-out streams, trains a Qwen2-architecture model with <see cref="Pretrainer"/> (resuming from
/// <c>OUT/checkpoints</c> when a previous run was interrupted) and writes an HF-layout folder: config.json,
/// model.safetensors, char_vocab.json + tokenizer_config.json, pretrain_report.json.
/// </summary>
public static class BackbonePretraining
{
    public const string ReportFile = "pretrain_report.json";

    /// <remarks>With <c>restart</c> the checkpoints of an interrupted run (and its vocabulary) are discarded instead of resumed.</remarks>
    public static PretrainReport Run(string outDir, BackbonePreset preset, PretrainingCorpus corpus, PretrainOptions options,
        TextWriter? plainOutput = null, bool keepCheckpoints = false, bool restart = false)
    {
        options.Validate();
        TorchRuntime.EnsureLoaded();
        Directory.CreateDirectory(outDir);
        var checkpointDir = Path.Combine(outDir, "checkpoints");
        if (restart && Directory.Exists(checkpointDir)) Directory.Delete(checkpointDir, recursive: true);
        // The vocabulary comes from the training documents only, and is fixed by the first run so a resume sees the same
        // ids; a run without checkpoints to resume builds it afresh.
        var tokenizer = Directory.Exists(checkpointDir) && File.Exists(Path.Combine(outDir, CharTokenizer.VocabFileName))
            ? CharTokenizer.Load(outDir)
            : CharTokenizer.Build(corpus.Train.Select(d => d.Text), preset.MinCharFrequency, preset.MaxVocab);
        tokenizer.Save(outDir);
        var separator = tokenizer.PadId; // <|endoftext|> between documents
        var train = TokenStream.Encode(corpus.Train.Select(d => d.Text), tokenizer, separator);
        var heldOut = TokenStream.Encode(corpus.HeldOut.Select(d => d.Text), tokenizer, separator);

        var config = preset.ModelConfig(tokenizer.VocabSize, tokenizer.EosId, tokenizer.PadId);
        random.manual_seed(options.Train.Seed);
        using var model = new CausalLM(config, options.Train.Seed);
        var result = Pretrainer.Train(model, train, heldOut, options, checkpointDir, plainOutput);
        var report = new PretrainReport(preset.Name, model.parameters().Sum(p => p.numel()), config.VocabSize,
            corpus.Statistics(), corpus.IsSynthetic, train.Length, heldOut.Length, options, result);
        if (options.Train.MaxSteps is { } stop && stop < options.Steps) return report; // interrupted on purpose: resume later

        model.SavePretrained(outDir);
        IO.AtomicFile.WriteAllText(Path.Combine(outDir, ReportFile), JsonSerializer.Serialize(report, new JsonSerializerOptions { WriteIndented = true }));
        if (!keepCheckpoints) Directory.Delete(checkpointDir, recursive: true);
        return report;
    }
}
