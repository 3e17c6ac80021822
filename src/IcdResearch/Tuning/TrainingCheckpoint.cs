using System.Text.Json;
using IcdResearch.Modeling;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace IcdResearch.Tuning;

/// <summary>
/// Resumable training checkpoints under one run folder: each checkpoint is a sub-folder holding the model's weights
/// (weights.safetensors, every tensor in its own dtype — readable by any safetensors tool), the AdamW moments
/// (optimizer.bin, TorchSharp's optimizer state format), libtorch's CPU RNG state (rng.safetensors) and the loop counters (state.json). Writes are atomic: a checkpoint is assembled in a temporary folder
/// and renamed into place, and the file <c>latest</c> (the name of the newest checkpoint) is replaced by rename, so an
/// interrupted save never leaves a half-written checkpoint that <see cref="TryResume"/> would pick up.
/// </summary>
public sealed class TrainingCheckpoint
{
    const string LatestFile = "latest";
    public const string WeightsFile = "weights.safetensors";
    const string RngFile = "rng.safetensors";
    const string StepPrefix = "step-";

    /// <param name="root">Run folder (created if missing).</param>
    /// <param name="keepLast">How many step checkpoints to keep; older ones are deleted (named ones like "best" are kept).</param>
    /// <param name="trainableOnly">
    /// Save only parameters with requires_grad (LoRA adapters: megabytes instead of the whole frozen base).
    /// Use false for full fine-tuning or when frozen parameters can change.
    /// </param>
    public TrainingCheckpoint(string root, int keepLast = 2, bool trainableOnly = true)
    {
        if (keepLast < 1) throw new ArgumentOutOfRangeException(nameof(keepLast), keepLast, "keep at least one checkpoint");
        Root = root;
        KeepLast = keepLast;
        TrainableOnly = trainableOnly;
    }

    public string Root { get; }
    public int KeepLast { get; }
    public bool TrainableOnly { get; }

    /// <summary>Saves a step checkpoint (step-000123), points <c>latest</c> at it and prunes old ones. Returns its folder.</summary>
    public string Save(nn.Module module, optim.Optimizer? optimizer, TrainingState state)
    {
        var name = $"{StepPrefix}{state.Step:D6}";
        var dir = SaveAs(name, module, optimizer, state);
        AtomicWriteText(Path.Combine(Root, LatestFile), name);
        Prune();
        return dir;
    }

    /// <summary>Saves a named checkpoint (e.g. "best"), atomically replacing an existing one of that name.</summary>
    public string SaveAs(string name, nn.Module module, optim.Optimizer? optimizer, TrainingState state)
    {
        Directory.CreateDirectory(Root);
        var final = Path.Combine(Root, name);
        var temp = Path.Combine(Root, $".{name}.tmp-{Environment.ProcessId}");
        if (Directory.Exists(temp)) Directory.Delete(temp, recursive: true);
        Directory.CreateDirectory(temp);

        SafeTensors.SaveExact(Path.Combine(temp, WeightsFile), Weights(module));
        if (optimizer is not null) AsHelper(optimizer).save_state_dict(Path.Combine(temp, "optimizer.bin"));
        using (var rng = torch.random.get_rng_state())
            SafeTensors.SaveExact(Path.Combine(temp, RngFile), [("cpu", rng)]);
        File.WriteAllText(Path.Combine(temp, "state.json"), JsonSerializer.Serialize(state, JsonOptions));

        // Swap into place: the old copy is moved aside first so a crash leaves either the old or the new folder.
        var old = final + ".old";
        if (Directory.Exists(old)) Directory.Delete(old, recursive: true);
        if (Directory.Exists(final)) Directory.Move(final, old);
        Directory.Move(temp, final);
        if (Directory.Exists(old)) Directory.Delete(old, recursive: true);
        return final;
    }

    /// <summary>The folder of the newest complete step checkpoint, or null when the run has none.</summary>
    public string? Latest()
    {
        var pointer = Path.Combine(Root, LatestFile);
        if (File.Exists(pointer))
        {
            var dir = Path.Combine(Root, File.ReadAllText(pointer).Trim());
            if (IsComplete(dir)) return dir;
        }
        // Fall back to the highest-numbered complete folder (e.g. when `latest` was lost).
        return StepFolders().LastOrDefault(IsComplete);
    }

    /// <summary>
    /// Restores the newest checkpoint into <paramref name="module"/> and <paramref name="optimizer"/> (built the same way
    /// as in the interrupted run) and the libtorch RNG; returns its counters, or null when there is nothing to resume.
    /// </summary>
    public TrainingState? TryResume(nn.Module module, optim.Optimizer? optimizer)
    {
        var dir = Latest();
        return dir is null ? null : Load(dir, module, optimizer);
    }

    /// <summary>Restores one checkpoint folder (see <see cref="TryResume"/>).</summary>
    public static TrainingState Load(string dir, nn.Module module, optim.Optimizer? optimizer)
    {
        if (!IsComplete(dir)) throw new DirectoryNotFoundException($"{dir}: not a complete training checkpoint (state.json/{WeightsFile} missing)");
        using (var saved = SafeTensors.LoadExact(Path.Combine(dir, WeightsFile)))
        {
            var targets = module.state_dict();
            using (no_grad())
                foreach (var (name, tensor) in saved.Tensors)
                {
                    if (!targets.TryGetValue(name, out var target))
                        throw new InvalidDataException($"{dir}: checkpoint tensor '{name}' has no counterpart in the model");
                    if (!target.shape.SequenceEqual(tensor.shape))
                        throw new InvalidDataException($"{dir}: '{name}' has shape [{string.Join(",", tensor.shape)}] in the checkpoint but [{string.Join(",", target.shape)}] in the model");
                    target.copy_(tensor);
                }
        }

        var optimizerFile = Path.Combine(dir, "optimizer.bin");
        if (optimizer is not null && File.Exists(optimizerFile)) AsHelper(optimizer).load_state_dict(optimizerFile);

        var rngFile = Path.Combine(dir, RngFile);
        if (File.Exists(rngFile))
        {
            using var rng = SafeTensors.LoadExact(rngFile);
            torch.random.set_rng_state(rng.Tensors["cpu"]);
        }
        return JsonSerializer.Deserialize<TrainingState>(File.ReadAllText(Path.Combine(dir, "state.json")), JsonOptions)
               ?? throw new InvalidDataException($"{dir}/state.json is empty");
    }

    IEnumerable<(string, Tensor)> Weights(nn.Module module)
    {
        if (!TrainableOnly) return module.state_dict().Select(kv => (kv.Key, kv.Value));
        return module.named_parameters().Where(p => p.parameter.requires_grad).Select(p => (p.name, (Tensor)p.parameter));
    }

    static OptimizerHelper AsHelper(optim.Optimizer optimizer) => optimizer as OptimizerHelper
        ?? throw new ArgumentException($"{optimizer.GetType().Name} does not expose its state; use a managed TorchSharp optimizer such as AdamW");

    static bool IsComplete(string dir) => File.Exists(Path.Combine(dir, "state.json")) && File.Exists(Path.Combine(dir, WeightsFile));

    IEnumerable<string> StepFolders() => !Directory.Exists(Root)
        ? []
        : Directory.GetDirectories(Root, StepPrefix + "*")
            .Where(d => int.TryParse(Path.GetFileName(d)[StepPrefix.Length..], out _))
            .OrderBy(d => int.Parse(Path.GetFileName(d)[StepPrefix.Length..]));

    void Prune()
    {
        var folders = StepFolders().ToList();
        foreach (var dir in folders.Take(Math.Max(0, folders.Count - KeepLast))) Directory.Delete(dir, recursive: true);
    }

    static void AtomicWriteText(string path, string text)
    {
        var temp = path + ".tmp";
        File.WriteAllText(temp, text);
        File.Move(temp, path, overwrite: true);
    }

    static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true };
}
