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
        new PretrainOptions { Steps = 40, Context = 64, EvalEvery = 20, EvalBatches = 4, Train = PretrainOptions.NanoGpt with { BatchSize = 4, LearningRate = 3e-3, WarmupSteps = 4, SaveEverySteps = 20 } });

    /// <summary>
    /// 4 layers × 256 hidden, GQA 4/2 heads, SwiGLU 704, context 512: ≈ 27 MFLOP per training token
    /// (<see cref="Benchmark.TrainingFlopsPerToken"/>), so 400 steps × 4,096 tokens ≈ 4.5·10^13 FLOP ≈ 19 min at
    /// 40 GFLOP/s on 2 uncontended cores — about 0.7 epoch of the ~2.4 M-character training corpus.
    /// </summary>
    public static BackbonePreset Small { get; } = new("small", HiddenSize: 256, Layers: 4, Heads: 4, KeyValueHeads: 2, IntermediateSize: 704,
        MaxVocab: 4096, MinCharFrequency: 3,
        new PretrainOptions { Steps = 400, Context = 512, EvalEvery = 100, EvalBatches = 16, Train = PretrainOptions.NanoGpt with { BatchSize = 8, LearningRate = 2e-3, WarmupSteps = 40, SaveEverySteps = 50 } });

    /// <summary>
    /// The next size up for the scale curve: 6 layers × 384 hidden, GQA 6/2 heads, SwiGLU 1056, context 512 — about 3×
    /// the parameters of <see cref="Small"/> (≈ 10.6 M) and ≈ 78 MFLOP per training token, so the same 400 × 4,096 tokens
    /// take ≈ 1.3·10^14 FLOP ≈ 20–50 min on 2 cores: the largest that still pretrains within an hour there.
    /// </summary>
    public static BackbonePreset Base { get; } = new("base", HiddenSize: 384, Layers: 6, Heads: 6, KeyValueHeads: 2, IntermediateSize: 1056,
        MaxVocab: 4096, MinCharFrequency: 3,
        new PretrainOptions { Steps = 400, Context = 512, EvalEvery = 100, EvalBatches = 16, Train = PretrainOptions.NanoGpt with { BatchSize = 8, LearningRate = 1.5e-3, WarmupSteps = 40, SaveEverySteps = 50 } });

    public static IReadOnlyList<BackbonePreset> All { get; } = [Tiny, Small, Base];

    public static BackbonePreset Get(string name) => All.FirstOrDefault(p => p.Name == name.Trim().ToLowerInvariant())
        ?? throw new ArgumentException($"unknown backbone size '{name}' (expected {string.Join(", ", All.Select(p => p.Name))})");

    /// <summary>
    /// The context a backbone declares (max_position_embeddings): RoPE has no learned position table, pretraining uses
    /// windows of <see cref="PretrainOptions.Context"/> tokens, and System A fine-tunes on sequences of up to 1,400
    /// tokens (<c>SystemAProfile.MaxLength</c>) — so 2,048 positions cover every sequence the project trains it on, and
    /// a prompt longer than that is rejected by the generator instead of silently read past the trained range.
    /// </summary>
    public const int DeclaredPositions = 2048;

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
        MaxPositionEmbeddings = Math.Max(Training.Context, DeclaredPositions),
        RopeThetaTopLevel = 10000.0,
        RmsNormEps = 1e-6,
        TieWordEmbeddings = true,
        TorchDtype = "float32",
        EosTokenIdRaw = JsonSerializer.SerializeToElement(eosId),
        PadTokenId = padId,
    };
}
