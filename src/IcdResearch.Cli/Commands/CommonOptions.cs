using System.CommandLine;
using System.Globalization;
using IcdResearch.Data;
using IcdResearch.IO;

namespace IcdResearch.Cli.Commands;

/// <summary>Options shared by many commands, so they read, document and validate the same way everywhere.</summary>
public static class CommonOptions
{
    public static Option<string?> Data() => new("--data")
    {
        Description = $"Dataset folder (ccl25/, codes/, chip-cdn/, qwen2-tokenizer/). Default: ${DataDirectory.EnvironmentVariable}, else ./data.",
    };

    public static Option<int> Seed(int defaultValue = 42) => new("--seed")
    {
        Description = "Random seed (every stochastic step is seeded from it).",
        DefaultValueFactory = _ => defaultValue,
    };

    public static Option<string> Out(string description, bool required = true) => new("--out")
    {
        Description = description,
        Required = required,
    };

    /// <summary>
    /// Checks an output option of <paramref name="command"/> at parse time — before any work starts, default values
    /// included: a file where a file is written (not a folder), no parent that is a file, a writable folder.
    /// </summary>
    public static void Output<T>(Command command, Option<T> option, bool folder)
    {
        command.Validators.Add(result =>
        {
            if (result.GetValue(option) is string path && OutputPath.Problem(path, folder) is { } problem)
                result.AddError($"{option.Name} {path}: {problem}");
        });
    }

    /// <summary>An integer option must be in [<paramref name="min"/>, <paramref name="max"/>] (checked at parse time; the message gives the range).</summary>
    public static Option<T> Range<T>(this Option<T> option, long min, long max = long.MaxValue)
    {
        option.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<T>() is { } value && Convert.ToInt64(value, CultureInfo.InvariantCulture) is var v && (v < min || v > max))
                result.AddError($"{option.Name} {v}: must be {(max == long.MaxValue ? $"at least {min}" : $"from {min} to {max}")}");
        });
        return option;
    }

    /// <summary>A real option must be a finite number in the given interval (checked at parse time; the message gives the interval).</summary>
    public static Option<T> Range<T>(this Option<T> option, double min, double max, bool minExclusive = false, bool maxExclusive = false)
    {
        option.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<T>() is not { } value) return;
            var v = Convert.ToDouble(value, CultureInfo.InvariantCulture);
            var ok = double.IsFinite(v) && (minExclusive ? v > min : v >= min) && (maxExclusive ? v < max : v <= max);
            if (!ok)
                result.AddError($"{option.Name} {v.ToString(CultureInfo.InvariantCulture)}: must be a finite number in " +
                                $"{(minExclusive ? "(" : "[")}{min.ToString(CultureInfo.InvariantCulture)}, {max.ToString(CultureInfo.InvariantCulture)}{(maxExclusive ? ")" : "]")}");
        });
        return option;
    }

    /// <summary>`--dtype auto|float32|bfloat16|nf4`: the weights' dtype on load (auto = the checkpoint's own, e.g. bf16 stays bf16; nf4 = projections in NF4).</summary>
    public static Option<string> Dtype()
    {
        var o = new Option<string>("--dtype")
        {
            Description = "Weights' dtype on load: auto (the checkpoint's own, e.g. bfloat16 stays bfloat16), float32, bfloat16, or nf4 " +
                          "(linear projections quantised to QLoRA's 4-bit NormalFloat tensor by tensor while loading, ~0.52 bytes/parameter; embeddings and norms keep the checkpoint's dtype; CPU only).",
            DefaultValueFactory = _ => "float32",
        };
        o.AcceptOnlyFromAmong("auto", "float32", "bfloat16", "nf4");
        return o;
    }

    /// <summary>`--device cpu|cuda`: where every weight and input lives (cuda needs the libtorch-cuda package, docs/scale-out.md).</summary>
    /// <summary>`--decoder fused|modules`: the inference decoder, or the HF modules it is checked against.</summary>
    public static Option<string> Decoder()
    {
        var o = new Option<string>("--decoder")
        {
            Description = "fused (default: fused QKV and gate/up matmuls, prompts shared by the sampled rounds stored and read once) or modules " +
                          "(the HF modules with a KV cache — the reference the fused decoder is tested against, slower; to check that a result does not depend on it).",
            DefaultValueFactory = _ => "fused",
        };
        o.AcceptOnlyFromAmong("fused", "modules");
        return o;
    }

    public static Option<string> Device() => new("--device")
    {
        Description = "cpu, or cuda[:N] (needs the libtorch-cuda package instead of libtorch-cpu in src/IcdResearch/IcdResearch.csproj; docs/scale-out.md).",
        DefaultValueFactory = _ => "cpu",
    };
}
