using System.Text.Json;
using IcdResearch.Modeling;

namespace IcdResearch.Tuning;

/// <summary>
/// Sizes of the default backbone (a Qwen2-architecture decoder with a character vocabulary, tied embeddings):
/// <c>tiny</c> for tests (seconds), <c>small</c> for the project's default model (≤ 20 min of pretraining on 2 cores).
/// </summary>
public sealed record BackbonePreset(
    string Name, int HiddenSize, int Layers, int Heads, int KeyValueHeads, int IntermediateSize,
    int MaxVocab, int MinCharFrequency, PretrainOptions Training)
{
    public static BackbonePreset Tiny { get; } = new("tiny", HiddenSize: 64, Layers: 2, Heads: 4, KeyValueHeads: 2, IntermediateSize: 128,
        MaxVocab: 512, MinCharFrequency: 1,
        new PretrainOptions { Steps = 40, BatchSize = 4, Context = 64, LearningRate = 3e-3, WarmupSteps = 4, EvalEvery = 20, EvalBatches = 4, CheckpointEvery = 20 });

    public static BackbonePreset Small { get; } = new("small", HiddenSize: 256, Layers: 6, Heads: 4, KeyValueHeads: 2, IntermediateSize: 704,
        MaxVocab: 4096, MinCharFrequency: 3,
        new PretrainOptions { Steps = 2000, BatchSize = 8, Context = 512, LearningRate = 2e-3, WarmupSteps = 100, EvalEvery = 250, EvalBatches = 16, CheckpointEvery = 250 });

    public static BackbonePreset Get(string name) => name.Trim().ToLowerInvariant() switch
    {
        "tiny" => Tiny,
        "small" => Small,
        _ => throw new ArgumentException($"unknown backbone size '{name}' (expected tiny or small)"),
    };

    /// <summary>The HF config.json of this size for a vocabulary (rounded up to a multiple of 64, as HF checkpoints pad it).</summary>
    public ModelConfig ModelConfig(int tokenizerVocabSize, int eosId, int padId) => new()
    {
        ModelType = "qwen2",
        VocabSize = (tokenizerVocabSize + 63) / 64 * 64,
        HiddenSize = HiddenSize,
        IntermediateSize = IntermediateSize,
        NumHiddenLayers = Layers,
        NumAttentionHeads = Heads,
        NumKeyValueHeads = KeyValueHeads,
        MaxPositionEmbeddings = Training.Context,
        RopeThetaTopLevel = 10000.0,
        RmsNormEps = 1e-6,
        TieWordEmbeddings = true,
        TorchDtype = "float32",
        EosTokenIdRaw = JsonSerializer.SerializeToElement(eosId),
        PadTokenId = padId,
    };
}
