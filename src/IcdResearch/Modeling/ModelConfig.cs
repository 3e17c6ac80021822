using System.Text.Json;
using System.Text.Json.Serialization;

namespace IcdResearch.Modeling;

/// <summary>
/// Architecture hyper-parameters of a Qwen2 / Qwen3 / Llama decoder, mapped one-to-one onto Hugging Face
/// <c>config.json</c>. Defaults are the HF config-class defaults for keys a file omits.
/// Settings this implementation cannot honour (sliding-window attention, unknown RoPE scaling, non-SiLU
/// activations) are rejected by <see cref="Validate"/> with an error naming the key, never silently ignored.
/// </summary>
public sealed class ModelConfig
{
    public static readonly string[] SupportedModelTypes = ["qwen2", "qwen3", "llama"];

    [JsonPropertyName("model_type")] public string ModelType { get; set; } = "qwen2";
    [JsonPropertyName("architectures")] public string[]? Architectures { get; set; }
    [JsonPropertyName("vocab_size")] public int VocabSize { get; set; } = 151936;
    [JsonPropertyName("hidden_size")] public int HiddenSize { get; set; } = 4096;
    [JsonPropertyName("intermediate_size")] public int IntermediateSize { get; set; } = 22016;
    [JsonPropertyName("num_hidden_layers")] public int NumHiddenLayers { get; set; } = 32;
    [JsonPropertyName("num_attention_heads")] public int NumAttentionHeads { get; set; } = 32;
    [JsonPropertyName("num_key_value_heads")] public int? NumKeyValueHeads { get; set; }

    /// <summary>Per-head width; HF falls back to hidden_size / num_attention_heads when absent (Qwen3 always sets it).</summary>
    [JsonPropertyName("head_dim")] public int? HeadDimOverride { get; set; }

    [JsonPropertyName("hidden_act")] public string HiddenAct { get; set; } = "silu";
    [JsonPropertyName("max_position_embeddings")] public int MaxPositionEmbeddings { get; set; } = 32768;
    [JsonPropertyName("initializer_range")] public double InitializerRange { get; set; } = 0.02;
    [JsonPropertyName("rms_norm_eps")] public double RmsNormEps { get; set; } = 1e-6;
    [JsonPropertyName("rope_theta")] public double? RopeThetaTopLevel { get; set; }

    /// <summary>transformers &lt; 5: <c>rope_scaling</c>; null means plain RoPE.</summary>
    [JsonPropertyName("rope_scaling")] public RopeScaling? RopeScaling { get; set; }

    /// <summary>transformers ≥ 5 folds rope_theta and the scaling into <c>rope_parameters</c>.</summary>
    [JsonPropertyName("rope_parameters")] public RopeScaling? RopeParameters { get; set; }

    [JsonPropertyName("tie_word_embeddings")] public bool TieWordEmbeddings { get; set; }

    /// <summary>Llama/Qwen3: bias on q,k,v,o. Qwen2 always has q,k,v bias and no o bias (HF hard-codes it).</summary>
    [JsonPropertyName("attention_bias")] public bool AttentionBias { get; set; }

    [JsonPropertyName("mlp_bias")] public bool MlpBias { get; set; }
    [JsonPropertyName("attention_dropout")] public double AttentionDropout { get; set; }
    [JsonPropertyName("use_sliding_window")] public bool UseSlidingWindow { get; set; }
    [JsonPropertyName("sliding_window")] public int? SlidingWindow { get; set; }
    [JsonPropertyName("max_window_layers")] public int? MaxWindowLayers { get; set; }
    [JsonPropertyName("layer_types")] public string[]? LayerTypes { get; set; }
    [JsonPropertyName("pretraining_tp")] public int PretrainingTp { get; set; } = 1;
    [JsonPropertyName("torch_dtype")] public string? TorchDtype { get; set; }

    /// <summary>transformers ≥ 5 writes <c>dtype</c> instead of <c>torch_dtype</c>.</summary>
    [JsonPropertyName("dtype")] public string? Dtype { get; set; }

    [JsonPropertyName("bos_token_id")] public int? BosTokenId { get; set; }
    [JsonPropertyName("eos_token_id")] public JsonElement? EosTokenIdRaw { get; set; }
    [JsonPropertyName("pad_token_id")] public int? PadTokenId { get; set; }
    [JsonPropertyName("use_cache")] public bool UseCache { get; set; } = true;
    [JsonPropertyName("transformers_version")] public string? TransformersVersion { get; set; }

    [JsonIgnore] public int KeyValueHeads => NumKeyValueHeads ?? NumAttentionHeads;
    [JsonIgnore] public int HeadDim => HeadDimOverride ?? HiddenSize / NumAttentionHeads;
    [JsonIgnore] public double RopeTheta => RopeThetaTopLevel ?? RopeParameters?.RopeTheta ?? 10000.0;
    [JsonIgnore] public bool HasQkNorm => ModelType == "qwen3";
    [JsonIgnore] public bool QkvBias => ModelType == "qwen2" || AttentionBias;
    [JsonIgnore] public bool OutputBias => ModelType != "qwen2" && AttentionBias;

    /// <summary>The effective RoPE scaling (either spelling), or null for plain RoPE.</summary>
    [JsonIgnore] public RopeScaling? EffectiveRopeScaling =>
        RopeScaling ?? (RopeParameters is { Type: not (null or "default") } ? RopeParameters : null);

    /// <summary>eos_token_id may be a single id or a list in HF configs.</summary>
    [JsonIgnore]
    public IReadOnlyList<int> EosTokenIds => EosTokenIdRaw switch
    {
        { ValueKind: JsonValueKind.Number } e => [e.GetInt32()],
        { ValueKind: JsonValueKind.Array } e => e.EnumerateArray().Select(x => x.GetInt32()).ToArray(),
        _ => [],
    };

    static readonly JsonSerializerOptions WriteOptions = new()
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>Reads and validates <c>config.json</c> (a file, or a model folder containing one).</summary>
    public static ModelConfig Load(string path)
    {
        if (Directory.Exists(path)) path = Path.Combine(path, "config.json");
        if (!File.Exists(path)) throw new FileNotFoundException($"model config not found: {path}", path);
        ModelConfig? config;
        try { config = JsonSerializer.Deserialize<ModelConfig>(IO.InputText.ReadAllText(path)); }
        catch (JsonException e) { throw new InvalidDataException($"{path}: invalid config.json ({e.Message})", e); }
        if (config is null) throw new InvalidDataException($"{path}: config.json is empty");
        config.Validate(path);
        return config;
    }

    public void Save(string path)
    {
        if (Directory.Exists(path)) path = Path.Combine(path, "config.json");
        IO.AtomicFile.WriteAllText(path, JsonSerializer.Serialize(this, WriteOptions));
    }

    /// <summary>Rejects settings whose semantics this implementation does not reproduce.</summary>
    public void Validate(string source = "config")
    {
        var problems = new List<string>();
        if (!SupportedModelTypes.Contains(ModelType))
            problems.Add($"model_type '{ModelType}' is not supported (supported: {string.Join(", ", SupportedModelTypes)})");
        if (HiddenAct != "silu") problems.Add($"hidden_act '{HiddenAct}' is not supported (only silu)");
        foreach (var (name, value) in new[] { ("vocab_size", VocabSize), ("hidden_size", HiddenSize), ("intermediate_size", IntermediateSize),
                     ("num_hidden_layers", NumHiddenLayers), ("num_attention_heads", NumAttentionHeads), ("num_key_value_heads", KeyValueHeads), ("head_dim", HeadDim) })
            if (value <= 0) problems.Add($"{name} must be positive (got {value})");
        if (NumAttentionHeads > 0 && KeyValueHeads > 0 && NumAttentionHeads % KeyValueHeads != 0)
            problems.Add($"num_attention_heads ({NumAttentionHeads}) must be a multiple of num_key_value_heads ({KeyValueHeads})");
        if (HeadDimOverride is null && NumAttentionHeads > 0 && HiddenSize % NumAttentionHeads != 0)
            problems.Add($"hidden_size ({HiddenSize}) is not divisible by num_attention_heads ({NumAttentionHeads}) and head_dim is not given");
        if (HeadDim % 2 != 0) problems.Add($"head_dim ({HeadDim}) must be even for rotary embeddings");
        if (RmsNormEps <= 0) problems.Add($"rms_norm_eps must be positive (got {RmsNormEps})");
        if (RopeTheta <= 0) problems.Add($"rope_theta must be positive (got {RopeTheta})");
        if (UseSlidingWindow)
            problems.Add($"use_sliding_window=true (sliding_window={SlidingWindow}) is not supported: only full causal attention is implemented");
        if (LayerTypes?.FirstOrDefault(t => t != "full_attention") is { } layerType)
            problems.Add($"layer_types contains '{layerType}': only full_attention is supported");
        if (EffectiveRopeScaling is { } scaling && scaling.Problem() is { } ropeProblem) problems.Add(ropeProblem);
        if (problems.Count > 0)
            throw new InvalidDataException($"{source}: unsupported model configuration: {string.Join("; ", problems)}");
    }

    /// <summary>A tiny configuration for unit tests (hidden 32, 2 layers, vocab 96 by default).</summary>
    public static ModelConfig Tiny(string modelType = "qwen2", int vocabSize = 96, int hiddenSize = 32, int layers = 2,
        int heads = 4, int kvHeads = 2, int intermediateSize = 64, int? headDim = null, bool tieWordEmbeddings = false,
        double ropeTheta = 10000.0, double rmsNormEps = 1e-6, bool attentionBias = false)
    {
        var config = new ModelConfig
        {
            ModelType = modelType,
            VocabSize = vocabSize,
            HiddenSize = hiddenSize,
            IntermediateSize = intermediateSize,
            NumHiddenLayers = layers,
            NumAttentionHeads = heads,
            NumKeyValueHeads = kvHeads,
            HeadDimOverride = headDim,
            MaxPositionEmbeddings = 512,
            RopeThetaTopLevel = ropeTheta,
            RmsNormEps = rmsNormEps,
            TieWordEmbeddings = tieWordEmbeddings,
            AttentionBias = attentionBias,
            TorchDtype = "float32",
            BosTokenId = 1,
            EosTokenIdRaw = JsonSerializer.SerializeToElement(2),
        };
        config.Validate("ModelConfig.Tiny");
        return config;
    }
}
