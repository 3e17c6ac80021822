using IcdResearch.Inference;
using IcdResearch.Retrieval;
using IcdResearch.Tuning;

namespace IcdResearch.Pipelines;

/// <summary>
/// The model operations every experiment needs — pretraining the backbone, fine-tuning, generating, embedding — behind
/// one interface, so System A and Code-Centric Learning run on the same layer (<see cref="TorchModelBackend"/>:
/// <see cref="BackbonePretraining"/>, <see cref="FineTuneRun.Ensure"/>, <see cref="LanguageModel"/>) and their logic can
/// be tested with small deterministic fakes.
/// </summary>
public interface IModelBackend
{
    /// <summary>Pretrains the backbone into <paramref name="directory"/>, or reuses it when present (unless <paramref name="force"/>).</summary>
    void EnsureBackbone(string directory, bool force);

    /// <summary>
    /// Fine-tunes <paramref name="baseModel"/> on (prompt, answer) pairs into <paramref name="directory"/> (resumable;
    /// reused when finished with the same base model, options and data unless <paramref name="force"/>).
    /// </summary>
    TrainingCost FineTune(string name, string baseModel, string directory, IReadOnlyList<(string Prompt, string Answer)> train,
        IReadOnlyList<(string Prompt, string Answer)> dev, SftOptions options, bool force);

    /// <summary>The model of a model or fine-tuning folder, loaded once.</summary>
    IAnswerGenerator Generator(string modelDirectory);

    /// <summary>Mean-pooled last hidden states of a model (Lv et al. §3.1, retrieval embedding (b)).</summary>
    ITextEmbedder Embedder(string modelDirectory);
}
