using IcdResearch.Modeling;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace IcdResearch.Tuning;

/// <summary>Trainable vs. total parameter counts (PEFT's print_trainable_parameters).</summary>
public sealed record ParameterCount(long Trainable, long Total)
{
    public double TrainablePercent => 100.0 * Trainable / Math.Max(1, Total);
    public override string ToString() => $"trainable params: {Trainable:N0} || all params: {Total:N0} || trainable%: {TrainablePercent:F4}";
}

/// <summary>
/// Puts LoRA (fp32 base) or QLoRA (NF4 base) adapters on the target projections of a <see cref="CausalLM"/>
/// (PEFT's get_peft_model): every model parameter is frozen, each target <see cref="Linear"/> is replaced by a
/// <see cref="LoraLinear"/> / <see cref="QLoraLinear"/>, and only lora_A / lora_B train. Projections that are already
/// <see cref="Nf4Linear"/> (a model loaded with `--dtype nf4`) get a <see cref="QLoraLinear"/> on that NF4 base as they are.
/// </summary>
public static class LoraInjector
{
    /// <summary>Applies adapters; returns them by HF module name (e.g. model.layers.0.self_attn.q_proj).</summary>
    public static IReadOnlyDictionary<string, LoraLinear> Apply(CausalLM model, LoraConfig config, bool quantize = false)
        => Apply(model, config, quantize, config.Targets);

    /// <summary>Applies adapters to the projections selected by <paramref name="isTarget"/> (full HF module name).</summary>
    public static IReadOnlyDictionary<string, LoraLinear> Apply(CausalLM model, LoraConfig config, bool quantize, Func<string, bool> isTarget)
    {
        config.Validate();
        if (Adapters(model).Count > 0) throw new InvalidOperationException("the model already has LoRA adapters");
        foreach (var p in model.parameters()) p.requires_grad = false;
        var adapters = new Dictionary<string, LoraLinear>(StringComparer.Ordinal);
        foreach (var (name, module) in model.NamedProjections().ToList())
        {
            if (!isTarget(name)) continue;
            LoraLinear adapter = module switch
            {
                Nf4Linear nf4 => new QLoraLinear(nf4, config),   // loaded as NF4: reused, not quantised again
                Linear linear => quantize ? new QLoraLinear(linear, config) : new LoraLinear(linear, config),
                _ => throw new InvalidOperationException($"{name} is a {module.GetType().Name}, not a linear layer; cannot add LoRA"),
            };
            model.ReplaceProjection(name, adapter);
            if (quantize && module is Linear) module.Dispose();   // the fp32 weight now lives only as NF4
            adapters[name] = adapter;
        }
        if (adapters.Count == 0)
            throw new ArgumentException($"no projection matches the LoRA targets [{string.Join(", ", config.TargetModules)}]; " +
                                        $"available: {string.Join(", ", model.NamedProjections().Select(p => p.Name.Split('.')[^1]).Distinct())}");
        return adapters;
    }

    /// <summary>The adapters currently in the model, by HF module name.</summary>
    public static IReadOnlyDictionary<string, LoraLinear> Adapters(CausalLM model) =>
        model.NamedProjections().Where(p => p.Module is LoraLinear)
            .ToDictionary(p => p.Name, p => (LoraLinear)p.Module, StringComparer.Ordinal);

    /// <summary>
    /// Merges every adapter into its fp32 base and puts the plain <see cref="Linear"/> back (PEFT's merge_and_unload), so
    /// <see cref="CausalLM.SavePretrained"/> writes a standard HF model. Not possible for QLoRA (NF4) bases.
    /// </summary>
    public static void MergeAndUnload(CausalLM model)
    {
        foreach (var (name, adapter) in Adapters(model))
        {
            adapter.Merge();
            model.ReplaceProjection(name, adapter.BaseLayer);
        }
    }

    /// <summary>Makes every parameter trainable (full fine-tuning).</summary>
    public static void UnfreezeAll(nn.Module model)
    {
        foreach (var p in model.parameters()) p.requires_grad = true;
    }

    public static ParameterCount CountParameters(nn.Module model)
    {
        long trainable = 0, total = 0;
        foreach (var p in model.parameters())
        {
            total += p.NumberOfElements;
            if (p.requires_grad) trainable += p.NumberOfElements;
        }
        // NF4 bases hold their weights outside the parameter list; count them as (frozen) parameters too.
        foreach (var (_, module) in model.named_modules())
            if (module is Nf4Linear nf4) total += nf4.QuantizedWeight.Count;
        return new ParameterCount(trainable, total);
    }
}
