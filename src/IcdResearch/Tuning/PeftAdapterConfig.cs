using System.Text.Json;
using System.Text.Json.Serialization;

namespace IcdResearch.Tuning;

/// <summary>
/// adapter_config.json of a Hugging Face PEFT LoRA adapter (PEFT's LoraConfig, serialised by save_pretrained).
/// Fields this project cannot honour (DoRA, modules_to_save, per-layer rank/alpha patterns, bias training,
/// fan_in_fan_out, layers_to_transform) are read and rejected with a clear message rather than ignored.
/// </summary>
public sealed class PeftAdapterConfig
{
    [JsonPropertyName("peft_type")] public string PeftType { get; set; } = "LORA";
    [JsonPropertyName("task_type")] public string? TaskType { get; set; } = "CAUSAL_LM";
    [JsonPropertyName("base_model_name_or_path")] public string? BaseModelNameOrPath { get; set; }
    [JsonPropertyName("revision")] public string? Revision { get; set; }
    [JsonPropertyName("inference_mode")] public bool InferenceMode { get; set; } = true;
    [JsonPropertyName("r")] public int R { get; set; } = 8;
    [JsonPropertyName("lora_alpha")] public double LoraAlpha { get; set; } = 8;
    [JsonPropertyName("lora_dropout")] public double LoraDropout { get; set; }
    /// <summary>A list of module-name suffixes, a regular expression (string), or "all-linear".</summary>
    [JsonPropertyName("target_modules")] public JsonElement? TargetModules { get; set; }
    [JsonPropertyName("bias")] public string Bias { get; set; } = "none";
    [JsonPropertyName("fan_in_fan_out")] public bool FanInFanOut { get; set; }
    [JsonPropertyName("use_rslora")] public bool UseRsLora { get; set; }
    [JsonPropertyName("use_dora")] public bool UseDora { get; set; }
    [JsonPropertyName("init_lora_weights")] public JsonElement? InitLoraWeights { get; set; }
    [JsonPropertyName("modules_to_save")] public string[]? ModulesToSave { get; set; }
    [JsonPropertyName("layers_to_transform")] public JsonElement? LayersToTransform { get; set; }
    [JsonPropertyName("layers_pattern")] public JsonElement? LayersPattern { get; set; }
    [JsonPropertyName("rank_pattern")] public Dictionary<string, JsonElement>? RankPattern { get; set; }
    [JsonPropertyName("alpha_pattern")] public Dictionary<string, JsonElement>? AlphaPattern { get; set; }

    /// <summary>Keys this class does not model (kept so a load/save round trip does not lose them).</summary>
    [JsonExtensionData] public Dictionary<string, JsonElement>? Other { get; set; }

    public static PeftAdapterConfig From(LoraConfig lora, string? baseModel) => new()
    {
        BaseModelNameOrPath = baseModel,
        R = lora.Rank,
        LoraAlpha = lora.Alpha,
        LoraDropout = lora.Dropout,
        UseRsLora = lora.UseRsLora,
        TargetModules = JsonSerializer.SerializeToElement(lora.TargetModules),
        InitLoraWeights = JsonSerializer.SerializeToElement(true),
        RankPattern = new(),
        AlphaPattern = new(),
    };

    /// <summary>The <see cref="LoraConfig"/> this adapter describes; throws <see cref="InvalidDataException"/> for unsupported features.</summary>
    public LoraConfig ToLoraConfig(string source)
    {
        var problems = new List<string>();
        if (PeftType != "LORA") problems.Add($"peft_type {PeftType} (only LORA)");
        if (Bias != "none") problems.Add($"bias '{Bias}' (only 'none')");
        if (UseDora) problems.Add("use_dora (DoRA)");
        if (FanInFanOut) problems.Add("fan_in_fan_out (GPT-2 Conv1D layers)");
        if (ModulesToSave is { Length: > 0 }) problems.Add($"modules_to_save [{string.Join(", ", ModulesToSave)}]");
        if (RankPattern is { Count: > 0 } || AlphaPattern is { Count: > 0 }) problems.Add("per-module rank_pattern/alpha_pattern");
        if (LayersToTransform is { ValueKind: not JsonValueKind.Null }) problems.Add("layers_to_transform");
        if (problems.Count > 0) throw new InvalidDataException($"{source}: unsupported PEFT adapter features: {string.Join("; ", problems)}");
        return new LoraConfig
        {
            Rank = R,
            Alpha = LoraAlpha,
            Dropout = LoraDropout,
            UseRsLora = UseRsLora,
            TargetModules = TargetList() ?? LoraConfig.AllProjections,
        }.Validate();
    }

    /// <summary>The target list, or null when targets are a regex / "all-linear" (see <see cref="IsTarget"/>).</summary>
    public IReadOnlyList<string>? TargetList() => TargetModules is { ValueKind: JsonValueKind.Array } array
        ? array.EnumerateArray().Select(e => e.GetString()!).ToList()
        : null;

    /// <summary>PEFT's matching: list → exact name or ".suffix"; string → "all-linear" or a regex that must match the whole name.</summary>
    public bool IsTarget(string moduleName)
    {
        if (TargetModules is not { ValueKind: JsonValueKind.String } s) return new LoraConfig { TargetModules = TargetList() ?? LoraConfig.AllProjections }.Targets(moduleName);
        var pattern = s.GetString()!;
        return pattern == "all-linear" || System.Text.RegularExpressions.Regex.IsMatch(moduleName, $"^(?:{pattern})$");
    }
}
