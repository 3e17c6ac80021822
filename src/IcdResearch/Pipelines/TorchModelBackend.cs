using IcdResearch.Data;
using IcdResearch.Inference;
using IcdResearch.Retrieval;
using IcdResearch.Tuning;

namespace IcdResearch.Pipelines;

/// <summary>What the backbone is pretrained on: the dataset minus the excluded (test) records, plus CHIP-CDN, at a preset size.</summary>
public sealed record BackboneRecipe(Ccl25Dataset Data, IReadOnlySet<string> Excluded, IReadOnlyList<ChipCdnPair> ChipCdn, string Size, int? Steps, int Seed);

/// <summary>
/// <see cref="IModelBackend"/> on the project's TorchSharp stack: the backbone is pretrained with
/// <see cref="BackbonePretraining"/> (never on the excluded test records; reused when its fingerprint matches), models
/// are fine-tuned with <see cref="FineTuneRun.Ensure"/>, and generation / embeddings use <see cref="LanguageModel"/>.
/// Loaded models are cached per folder. Without a <paramref name="backbone"/> recipe (e.g. `icd predict`) it only loads.
/// </summary>
public sealed class TorchModelBackend(BackboneRecipe? backbone = null, TextWriter? log = null) : IModelBackend
{
    readonly TextWriter _log = log ?? Console.Error;
    /// <summary>Fine-tuning messages and progress go to the given log, else to stdout with the other progress steps.</summary>
    readonly TextWriter? _trainingLog = log;
    readonly Dictionary<string, LanguageModel> _loaded = [];

    /// <summary>Dtype and device of the models this backend loads (`--dtype`, `--device`).</summary>
    public Modeling.ModelLoadSettings LoadSettings { get; init; } = Modeling.ModelLoadSettings.Default;

    public void EnsureBackbone(string directory, bool force)
    {
        var preset = BackbonePreset.Get(backbone?.Size ?? "small");
        var training = preset.Training.Train with { Seed = backbone?.Seed ?? 42 };
        var options = backbone?.Steps is { } steps
            ? preset.Training with { Steps = steps, Train = training with { WarmupSteps = Math.Min(training.WarmupSteps ?? 0, Math.Max(1, steps / 10)) } }
            : preset.Training with { Train = training };
        var excluded = (backbone?.Excluded ?? new HashSet<string>()).Order(StringComparer.Ordinal).Select(id => (id, ""));
        var fingerprint = TrainingFingerprint.Compute(null, new { preset.Name, options, Synthetic = backbone?.Data.IsSynthetic, Positions = BackbonePreset.DeclaredPositions }, excluded);
        if (!force && ModelFolder.Holds(directory) && FineTuneRun.Reusable("backbone", directory, fingerprint, _log))
        {
            _log.WriteLine($"reusing backbone {directory}");
            return;
        }
        if (backbone is null) throw new InvalidOperationException($"no backbone in {directory} and no dataset to pretrain one on");
        // Start afresh unless this is an interrupted pretraining under the same settings, which resumes from its checkpoint.
        if (Directory.Exists(directory) && (force || ModelFolder.Holds(directory) || TrainingFingerprint.Read(directory) != fingerprint))
            Directory.Delete(directory, recursive: true);
        TrainingFingerprint.Write(directory, fingerprint);
        var corpus = PretrainingCorpus.Build(backbone.Data, backbone.Excluded, backbone.ChipCdn);
        _log.WriteLine($"pretraining the {preset.Name} backbone into {directory}");
        BackbonePretraining.Run(directory, preset, corpus, options);
        _loaded.Remove(directory);
    }

    public TrainingCost FineTune(string name, string baseModel, string directory, IReadOnlyList<(string Prompt, string Answer)> train,
        IReadOnlyList<(string Prompt, string Answer)> dev, SftOptions options, bool force)
    {
        var cost = FineTuneRun.Ensure(name, baseModel, directory, train.Select(e => new SftExample(e.Prompt, e.Answer)).ToList(),
            dev.Select(e => new SftExample(e.Prompt, e.Answer)).ToList(), options, force, _log, _trainingLog);
        _loaded.Remove(directory);
        return cost;
    }

    public IAnswerGenerator Generator(string modelDirectory) => Load(modelDirectory);

    public ITextEmbedder Embedder(string modelDirectory) => Load(modelDirectory).Embedder();

    LanguageModel Load(string directory)
    {
        if (!_loaded.TryGetValue(directory, out var model)) _loaded[directory] = model = LanguageModel.Load(directory, settings: LoadSettings);
        return model;
    }
}
