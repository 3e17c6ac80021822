using System.Text.Json;
using IcdResearch.Data;
using IcdResearch.Modeling;
using IcdResearch.Retrieval;
using IcdResearch.Text;
using IcdResearch.Tuning;

namespace IcdResearch.Pipelines.SystemA;

/// <summary>
/// System A on the project's TorchSharp stack: the default backbone is pretrained with <see cref="BackbonePretraining"/>
/// (never on the test split's records), models are fine-tuned with <see cref="FineTuneRun"/> (resumable; a folder whose
/// sft-metrics.json says completed is reused), and generation / embeddings use <see cref="LmAnswerGenerator"/> /
/// <see cref="HiddenStateEmbedder"/>. Loaded models are cached per folder.
/// </summary>
public sealed class TorchSystemABackend(Ccl25Dataset? data, IReadOnlySet<string> excludedFromPretraining, IReadOnlyList<ChipCdnPair>? chipCdn,
    SystemAProfile profile, TextWriter? log = null, int seed = 42) : ISystemABackend
{
    readonly TextWriter _log = log ?? Console.Error;
    /// <summary>Fine-tuning messages and progress go to the given log, else to stdout with the other progress steps.</summary>
    readonly TextWriter? _trainingLog = log;
    readonly Dictionary<string, (CausalLM Model, ITextTokenizer Tokenizer)> _loaded = [];

    /// <summary>Dtype and device of the models this backend loads (`--dtype`, `--device`).</summary>
    public ModelLoadSettings LoadSettings { get; init; } = ModelLoadSettings.Default;

    public void EnsureBackbone(string directory, bool force)
    {
        var preset = BackbonePreset.Get(profile.BackboneSize);
        var options = (profile.PretrainSteps is { } steps
            ? preset.Training with { Steps = steps, WarmupSteps = Math.Min(preset.Training.WarmupSteps, Math.Max(1, steps / 10)) }
            : preset.Training) with { Seed = seed };
        var excluded = excludedFromPretraining.Order(StringComparer.Ordinal).Select(id => (id, ""));
        var fingerprint = TrainingFingerprint.Compute(null, new { preset.Name, options, Synthetic = data?.IsSynthetic, Positions = BackbonePreset.DeclaredPositions }, excluded);
        if (!force && IsModelFolder(directory) && Reusable("backbone", directory, fingerprint))
        {
            _log.WriteLine($"reusing backbone {directory}");
            return;
        }
        if (data is null) throw new InvalidOperationException($"no backbone in {directory} and no dataset to pretrain one on");
        // Start afresh unless this is an interrupted pretraining under the same settings, which resumes from its checkpoint.
        if (Directory.Exists(directory) && (force || IsModelFolder(directory) || TrainingFingerprint.Read(directory) != fingerprint))
            Directory.Delete(directory, recursive: true);
        TrainingFingerprint.Write(directory, fingerprint);
        var corpus = PretrainingCorpus.Build(data, excludedFromPretraining, chipCdn);
        _log.WriteLine($"pretraining the {preset.Name} backbone into {directory}");
        BackbonePretraining.Run(directory, preset, corpus, options);
    }

    /// <summary>
    /// Whether a finished model folder may be reused: yes when its recorded fingerprint matches this run's (or it has
    /// none — made before fingerprints were recorded; said so); no, with the reason, when the settings, the data or
    /// the base model changed since it was trained.
    /// </summary>
    bool Reusable(string name, string directory, string fingerprint)
    {
        var recorded = TrainingFingerprint.Read(directory);
        if (recorded is null)
        {
            _log.WriteLine($"note: {name} ({directory}) records no training fingerprint; reusing it as it is (--force retrains)");
            return true;
        }
        if (recorded == fingerprint) return true;
        _log.WriteLine($"{name} ({directory}) was trained with other settings, data or base model than this run asks for: retraining it");
        return false;
    }

    public void FineTune(string name, string baseModel, string directory, IReadOnlyList<(string Prompt, string Answer)> train,
        IReadOnlyList<(string Prompt, string Answer)> dev, bool force)
    {
        var options = new SftOptions
        {
            Mode = profile.FineTuneMode switch
            {
                "full" => FineTuneMode.Full,
                "lora" => FineTuneMode.Lora,
                var m => throw new ArgumentException($"fine-tune mode '{m}' (full or lora)"),
            },
            Epochs = name == "ner" ? profile.NerEpochs : profile.Epochs,
            BatchSize = profile.BatchSize,
            LearningRate = profile.LearningRate,
            MaxLength = profile.MaxLength,
            MaxSteps = profile.MaxStepsPerModel,
            Seed = seed,
        };
        var fingerprint = TrainingFingerprint.Compute(baseModel, options, train.Concat([("--dev--", "")]).Concat(dev));
        if (!force && Completed(directory) && Reusable(name, directory, fingerprint))
        {
            _log.WriteLine($"reusing fine-tuned {name} ({directory})");
            return;
        }
        // A forced run, a changed fingerprint, or a run interrupted under other settings starts from scratch;
        // an interrupted run with the same fingerprint resumes from its checkpoint.
        if (Directory.Exists(directory) && (force || TrainingFingerprint.Read(directory) != fingerprint))
            Directory.Delete(directory, recursive: true);
        TrainingFingerprint.Write(directory, fingerprint);
        FineTuneRun.Run(baseModel, train.Select(e => new SftExample(e.Prompt, e.Answer)).ToList(),
            dev.Select(e => new SftExample(e.Prompt, e.Answer)).ToList(), directory, options, log: _trainingLog);
        _loaded.Remove(directory);
    }

    public IAnswerGenerator Generator(string modelDirectory)
    {
        var (model, tokenizer) = Load(modelDirectory);
        return new LmAnswerGenerator(model, tokenizer);
    }

    public ITextEmbedder HiddenStateEmbedder(string modelDirectory)
    {
        var (model, tokenizer) = Load(modelDirectory);
        return new HiddenStateEmbedder(model, tokenizer);
    }

    /// <summary>A fine-tuning folder is complete when its sft-metrics.json says so and it holds the kept model.</summary>
    public static bool Completed(string directory)
    {
        var metrics = Path.Combine(directory, "sft-metrics.json");
        if (!File.Exists(metrics) || ModelFolder(directory) is null) return false;
        try
        {
            using var doc = JsonDocument.Parse(IO.InputText.ReadAllText(metrics));
            return doc.RootElement.TryGetProperty("result", out var result) && result.TryGetProperty("Completed", out var c) && c.ValueKind == JsonValueKind.True;
        }
        catch (JsonException e) { throw new DataFormatException(metrics, $"malformed or truncated JSON ({e.Message}); delete the folder or rerun with --force", inner: e); }
    }

    /// <summary>The model inside a fine-tuning folder: best/ (best dev epoch), else final/, else the folder itself.</summary>
    public static string? ModelFolder(string directory)
        => new[] { Path.Combine(directory, "best"), Path.Combine(directory, "final"), directory }.FirstOrDefault(IsModelFolder);

    static bool IsModelFolder(string d) => File.Exists(Path.Combine(d, "config.json")) || File.Exists(Path.Combine(d, "adapter_config.json"));

    (CausalLM, ITextTokenizer) Load(string directory)
    {
        if (_loaded.TryGetValue(directory, out var hit)) return hit;
        return _loaded[directory] = LoadModel(directory, LoadSettings);
    }

    /// <summary>
    /// Loads the model of a model or fine-tuning folder (<see cref="ModelFolder"/>) in eval mode with its tokenizer; a
    /// PEFT LoRA adapter folder is applied to its base model and merged.
    /// </summary>
    public static (CausalLM Model, ITextTokenizer Tokenizer) LoadModel(string directory, ModelLoadSettings? settings = null)
    {
        TorchRuntime.EnsureLoaded();
        var folder = ModelFolder(directory) ?? throw new FileNotFoundException($"no model (config.json or adapter_config.json) in {directory}, {directory}/best or {directory}/final", directory);
        CausalLM model; ITextTokenizer tokenizer;
        if (File.Exists(Path.Combine(folder, "adapter_config.json")))
        {
            // LoRA adapter: load its base, apply and merge the adapter.
            var basePath = PeftAdapter.ReadConfig(folder).BaseModelNameOrPath ?? throw new DataFormatException(Path.Combine(folder, "adapter_config.json"), "names no base model", field: "base_model_name_or_path");
            (model, tokenizer) = Inference.ModelFolder.Load(basePath, settings: settings);
            PeftAdapter.Load(model, folder);
            LoraInjector.MergeAndUnload(model);
        }
        else (model, tokenizer) = Inference.ModelFolder.Load(folder, settings: settings);
        model.eval();
        return (model, tokenizer);
    }
}
