using IcdResearch.Inference;
using IcdResearch.Retrieval;
using IcdResearch.Tuning;

namespace IcdResearch.Pipelines.SystemA;

/// <summary>
/// Writes every System A fine-tuning set the experiment builds — exactly the (prompt, answer) pairs it trains on — as
/// LLaMA-Factory datasets (<c>ROLE-train</c>, <c>ROLE-dev</c> in <see cref="LlamaFactoryExport"/>'s alpaca format) with
/// a Table 1 training YAML per model when a recipe is given (<see cref="LlamaFactoryRecipe"/>), then lets <paramref name="inner"/> train as
/// usual; with no inner backend nothing is trained and the export stops the experiment after the last model
/// (<see cref="ExportFinished"/>). The re-judge examples need the retrieval index: without a backbone the hidden-state
/// embedding is not available, so TF-IDF is used (the recipe's choice is then TF-IDF).
/// </summary>
public sealed class SftExportBackend(string directory, Func<string, LlamaFactoryRecipe?> recipeFor, IModelBackend? inner, IReadOnlyList<string> roles,
    TextWriter? log = null) : IModelBackend
{
    readonly TextWriter _log = log ?? Console.Error;
    readonly HashSet<string> _written = [];

    /// <summary>Thrown after the last role's data is written when nothing is trained (<c>icd export-sft --task system-a</c>).</summary>
    public sealed class ExportFinished() : Exception("System A fine-tuning data exported");

    public IReadOnlyCollection<string> Written => _written;

    public void EnsureBackbone(string backbone, bool force)
    {
        if (inner is not null) inner.EnsureBackbone(backbone, force);
    }

    public TrainingCost FineTune(string name, string baseModel, string modelDirectory, IReadOnlyList<(string Prompt, string Answer)> train,
        IReadOnlyList<(string Prompt, string Answer)> dev, SftOptions options, bool force)
    {
        LlamaFactoryExport.Write(train.Select(e => new SftExample(e.Prompt, e.Answer)), directory, $"{name}-train");
        if (dev.Count > 0) LlamaFactoryExport.Write(dev.Select(e => new SftExample(e.Prompt, e.Answer)), directory, $"{name}-dev");
        var yaml = recipeFor(name)?.Write(directory, name, $"{name}-train", dev.Count > 0 ? $"{name}-dev" : null, Path.Combine("saves", name));
        _log.WriteLine($"exported {name}: {train.Count} train / {dev.Count} dev examples{(yaml is null ? "" : $", {yaml}")}");
        _written.Add(name);
        if (inner is not null) return inner.FineTune(name, baseModel, modelDirectory, train, dev, options, force);
        if (roles.All(_written.Contains)) throw new ExportFinished();
        return new TrainingCost(train.Count, 0, double.NaN, options.Epochs, double.NaN);
    }

    public IAnswerGenerator Generator(string modelDirectory)
        => (inner ?? throw new InvalidOperationException("exporting only: no models to generate with")).Generator(modelDirectory);

    public ITextEmbedder Embedder(string modelDirectory)
        => inner is not null && ModelFolder.Find(modelDirectory) is not null ? inner.Embedder(modelDirectory) : new NoHiddenStates();

    /// <summary>Stands in for a backbone that does not exist: every text gets the same vector, so the dev study picks TF-IDF.</summary>
    sealed class NoHiddenStates : ITextEmbedder
    {
        public string Name => "hidden";
        public float[][] Embed(IReadOnlyList<string> texts) => texts.Select(_ => new float[] { 1f }).ToArray();
    }
}
