using System.Text.Json;
using IcdResearch.Modeling;
using static TorchSharp.torch;

namespace IcdResearch.Tuning;

/// <summary>
/// Saves and loads LoRA adapters in the Hugging Face PEFT layout, so adapters move both ways between this project and
/// PEFT / LLaMA-Factory: a folder with <c>adapter_config.json</c> (<see cref="PeftAdapterConfig"/>) and
/// <c>adapter_model.safetensors</c> holding <c>base_model.model.&lt;module&gt;.lora_A.weight</c> [r, in] and
/// <c>….lora_B.weight</c> [out, r] for every adapted module (PEFT's get_peft_model_state_dict naming).
/// </summary>
public static class PeftAdapter
{
    public const string ConfigFile = "adapter_config.json";
    public const string WeightsFile = "adapter_model.safetensors";
    const string Prefix = "base_model.model.";

    /// <summary>Writes the adapters of <paramref name="model"/> (fp32 tensors).</summary>
    public static void Save(CausalLM model, string directory, string? baseModelNameOrPath = null)
    {
        var adapters = LoraInjector.Adapters(model);
        if (adapters.Count == 0) throw new InvalidOperationException("the model has no LoRA adapters to save");
        var lora = adapters.Values.First().Config;
        Directory.CreateDirectory(directory);
        var tensors = adapters.OrderBy(a => a.Key, StringComparer.Ordinal).SelectMany(a => new[]
        {
            ($"{Prefix}{a.Key}.lora_A.weight", (Tensor)a.Value.LoraA),
            ($"{Prefix}{a.Key}.lora_B.weight", (Tensor)a.Value.LoraB),
        });
        // Target list = the module types actually adapted (what PEFT writes after resolving its targets).
        var targets = adapters.Keys.Select(n => n.Split('.')[^1]).Distinct().Order(StringComparer.Ordinal).ToList();
        var config = PeftAdapterConfig.From(lora with { TargetModules = targets }, baseModelNameOrPath);
        SafeTensors.Save(Path.Combine(directory, WeightsFile), tensors);
        IO.AtomicFile.WriteAllText(Path.Combine(directory, ConfigFile), JsonSerializer.Serialize(config, new JsonSerializerOptions { WriteIndented = true }));
    }

    /// <summary>Reads adapter_config.json of an adapter folder.</summary>
    public static PeftAdapterConfig ReadConfig(string directory)
    {
        var path = Path.Combine(directory, ConfigFile);
        if (!File.Exists(path)) throw new FileNotFoundException($"{directory}: {ConfigFile} not found (not a PEFT adapter folder)", path);
        try
        {
            return JsonSerializer.Deserialize<PeftAdapterConfig>(IO.InputText.ReadAllText(path))
                   ?? throw new Data.DataFormatException(path, "empty adapter config");
        }
        catch (JsonException e) { throw new Data.DataFormatException(path, $"malformed or truncated JSON: {e.Message}", inner: e); }
    }

    /// <summary>
    /// Adds the adapter in <paramref name="directory"/> to <paramref name="model"/> (LoRA on the fp32 base, or QLoRA on
    /// an NF4 copy when <paramref name="quantize"/>) and loads its weights. Every tensor in the file must match an adapted
    /// module and every adapted module must receive both A and B, with the right shapes; otherwise nothing is guessed.
    /// </summary>
    public static IReadOnlyDictionary<string, LoraLinear> Load(CausalLM model, string directory, bool quantize = false)
    {
        var peft = ReadConfig(directory);
        var lora = peft.ToLoraConfig(Path.Combine(directory, ConfigFile));
        var weightsPath = Path.Combine(directory, WeightsFile);
        if (!File.Exists(weightsPath))
            throw new FileNotFoundException($"{directory}: {WeightsFile} not found (adapter_model.bin / pickle is not supported; re-save with safe_serialization=True)", weightsPath);
        using var file = SafeTensors.Load(weightsPath);
        var adapters = LoraInjector.Apply(model, lora, quantize, peft.IsTarget);

        var problems = new List<string>();
        var expected = new HashSet<string>(StringComparer.Ordinal);
        using (no_grad())
            foreach (var (name, adapter) in adapters)
            foreach (var (part, target) in new[] { ("lora_A", adapter.LoraA), ("lora_B", adapter.LoraB) })
            {
                var key = $"{Prefix}{name}.{part}.weight";
                expected.Add(key);
                if (!file.Tensors.TryGetValue(Normalise(key, file.Tensors), out var t)) problems.Add($"missing {key}");
                else if (!t.shape.SequenceEqual(target.shape)) problems.Add($"{key} has shape [{string.Join(",", t.shape)}], expected [{string.Join(",", target.shape)}]");
                else if (!isfinite(t).all().item<bool>()) problems.Add($"{key} holds non-finite values (NaN or ±inf)");
                else target.copy_(t);
            }
        var unexpected = file.Tensors.Keys.Where(k => !expected.Contains(k) && !expected.Contains(k.Replace(".default.", "."))).ToList();
        if (unexpected.Count > 0) problems.Add($"tensors for modules that were not adapted: {string.Join(", ", unexpected.Take(5))}{(unexpected.Count > 5 ? ", …" : "")}");
        if (problems.Count > 0) throw new InvalidDataException($"{weightsPath}: adapter does not fit the model: {string.Join("; ", problems.Take(10))}");
        return adapters;
    }

    /// <summary>Older PEFT versions kept the adapter name ("lora_A.default.weight"); accept both spellings.</summary>
    static string Normalise(string key, IReadOnlyDictionary<string, Tensor> tensors) =>
        tensors.ContainsKey(key) ? key : key.Replace(".lora_A.weight", ".lora_A.default.weight").Replace(".lora_B.weight", ".lora_B.default.weight");
}
