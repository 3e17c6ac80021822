using IcdResearch.Retrieval;

namespace IcdResearch.Pipelines.SystemA;

/// <summary>
/// The model-dependent operations System A needs — pretraining the backbone, fine-tuning, generating, embedding —
/// behind one interface, so the pipeline and experiment logic can be tested with small deterministic fakes and run
/// with the TorchSharp models (<c>TorchSystemABackend</c>) for real.
/// </summary>
public interface ISystemABackend
{
    /// <summary>Pretrains the default backbone into <paramref name="directory"/>, or reuses it when present (unless <paramref name="force"/>).</summary>
    void EnsureBackbone(string directory, bool force);

    /// <summary>Fine-tunes <paramref name="baseModel"/> on (prompt, answer) pairs into <paramref name="directory"/> (resumable; reused when complete unless <paramref name="force"/>).</summary>
    void FineTune(string name, string baseModel, string directory, IReadOnlyList<(string Prompt, string Answer)> train,
        IReadOnlyList<(string Prompt, string Answer)> dev, bool force);

    IAnswerGenerator Generator(string modelDirectory);

    /// <summary>Mean-pooled last hidden states of a model (retrieval embedding (b) of §3.1).</summary>
    ITextEmbedder HiddenStateEmbedder(string modelDirectory);
}
