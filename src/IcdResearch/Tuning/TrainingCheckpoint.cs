using System.Runtime.InteropServices;
using System.Text.Json;
using IcdResearch.Data;
using IcdResearch.IO;
using IcdResearch.Modeling;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace IcdResearch.Tuning;

/// <summary>
/// Resumable training checkpoints under one run folder: each checkpoint is a sub-folder holding the model's weights
/// (weights.safetensors, every tensor in its own dtype — readable by any safetensors tool), the AdamW moments
/// (optimizer.bin, TorchSharp's optimizer state format), libtorch's CPU RNG state (rng.safetensors) and the loop
/// counters (state.json). Writes are atomic (<see cref="AtomicFile.WriteDirectory"/>): a checkpoint is assembled in a
/// temporary folder and renamed into place, and <c>latest</c> (the name of the newest checkpoint) is replaced by rename.
/// The run's <see cref="RunFingerprint"/> is kept beside them: <see cref="TryResume"/> refuses to continue a run made
/// with other settings, data or base model, and falls back — saying so — from a corrupt latest checkpoint to the
/// previous intact one.
/// </summary>
public sealed class TrainingCheckpoint
{
    const string LatestFile = "latest";
    public const string WeightsFile = "weights.safetensors";
    const string RngFile = "rng.safetensors";
    const string StateFile = "state.json";
    const string OptimizerFile = "optimizer.bin";
    const string StepPrefix = "step-";

    /// <param name="root">Run folder (created if missing).</param>
    /// <param name="keepLast">How many step checkpoints to keep; older ones are deleted (named ones like "best" are kept).</param>
    /// <param name="trainableOnly">
    /// Save only parameters with requires_grad (LoRA adapters: megabytes instead of the whole frozen base).
    /// Use false for full fine-tuning or when frozen parameters can change.
    /// </param>
    /// <param name="fingerprint">What the run is made of; recorded on save and compared on resume (null: not checked).</param>
    /// <param name="log">Where notes go (falling back from a corrupt checkpoint); default stderr.</param>
    public TrainingCheckpoint(string root, int keepLast = 2, bool trainableOnly = true, RunFingerprint? fingerprint = null, Action<string>? log = null)
    {
        if (keepLast < 1) throw new ArgumentOutOfRangeException(nameof(keepLast), keepLast, "keep at least one checkpoint");
        Root = root;
        KeepLast = keepLast;
        TrainableOnly = trainableOnly;
        Fingerprint = fingerprint;
        _log = log ?? (m => Console.Error.WriteLine($"note: {m}"));
    }

    readonly Action<string> _log;

    public string Root { get; }
    public int KeepLast { get; }
    public bool TrainableOnly { get; }
    public RunFingerprint? Fingerprint { get; }

    /// <summary>Saves a step checkpoint (step-000123), points <c>latest</c> at it and prunes old ones. Returns its folder.</summary>
    public string Save(nn.Module module, optim.Optimizer? optimizer, TrainingState state)
    {
        var name = $"{StepPrefix}{state.Step:D6}";
        var dir = SaveAs(name, module, optimizer, state);
        AtomicFile.WriteAllText(Path.Combine(Root, LatestFile), name);
        Prune();
        return dir;
    }

    /// <summary>Saves a named checkpoint (e.g. "best"), atomically replacing an existing one of that name.</summary>
    public string SaveAs(string name, nn.Module module, optim.Optimizer? optimizer, TrainingState state)
    {
        Directory.CreateDirectory(Root);
        if (Fingerprint is not null && !File.Exists(Path.Combine(Root, RunFingerprint.FileName))) Fingerprint.Write(Root);
        var final = Path.Combine(Root, name);
        AtomicFile.WriteDirectory(final, temp =>
        {
            SafeTensors.SaveExact(Path.Combine(temp, WeightsFile), Weights(module));
            if (optimizer is not null) AsHelper(optimizer).save_state_dict(Path.Combine(temp, OptimizerFile));
            using (var rng = torch.random.get_rng_state())
                SafeTensors.SaveExact(Path.Combine(temp, RngFile), [("cpu", rng)]);
            AtomicFile.WriteAllText(Path.Combine(temp, StateFile), JsonSerializer.Serialize(state, JsonOptions));
        });
        return final;
    }

    /// <summary>The folder of the newest complete step checkpoint, or null when the run has none.</summary>
    public string? Latest() => Candidates().FirstOrDefault();

    /// <summary>Complete step checkpoints, newest first: the one <c>latest</c> names, then the others by step.</summary>
    IEnumerable<string> Candidates()
    {
        var pointer = Path.Combine(Root, LatestFile);
        string? named = null;
        if (File.Exists(pointer))
        {
            var name = InputText.ReadAllText(pointer).Trim();
            if (name.StartsWith(StepPrefix, StringComparison.Ordinal) && name.IndexOfAny(['/', '\\']) < 0) named = Path.Combine(Root, name);
        }
        var all = StepFolders().Reverse().ToList();
        if (named is not null && IsComplete(named)) yield return named;
        foreach (var dir in all.Where(d => d != named && IsComplete(d))) yield return dir;
    }

    /// <summary>
    /// Restores the newest intact checkpoint into <paramref name="module"/> and <paramref name="optimizer"/> (built the
    /// same way as in the interrupted run) and the libtorch RNG; returns its counters, or null when there is nothing to
    /// resume. A run fingerprint that differs from the recorded one is an error saying what differs; a checkpoint that
    /// cannot be read (torn, truncated) is skipped for the previous one, with a note.
    /// </summary>
    public TrainingState? TryResume(nn.Module module, optim.Optimizer? optimizer)
    {
        var candidates = Candidates().ToList();
        if (candidates.Count == 0)
        {
            // A fresh start: a fingerprint left by an earlier run without checkpoints no longer describes this folder.
            if (Fingerprint is not null && File.Exists(Path.Combine(Root, RunFingerprint.FileName))) Fingerprint.Write(Root);
            return null;
        }
        if (Fingerprint is not null)
        {
            var recorded = RunFingerprint.Read(Root);
            if (recorded is null)
                _log($"{Root} records no run fingerprint (made by an older version): resuming without checking its settings and data");
            else if (Fingerprint.Differences(recorded) is { Count: > 0 } diffs)
                throw new ResumeMismatchException(Root, diffs);
        }
        var failures = new List<string>();
        foreach (var dir in candidates)
        {
            try
            {
                var state = Load(dir, module, optimizer);
                if (failures.Count > 0) _log($"resuming from the earlier intact checkpoint {dir}");
                return state;
            }
            catch (Exception e) when (e is DataFormatException or InvalidDataException or IOException or JsonException or ExternalException or ArgumentException)
            {
                failures.Add($"{dir}: {e.Message}");
                _log($"checkpoint {dir} cannot be read ({e.Message}); falling back to the previous one");
            }
        }
        throw new DataFormatException(Root, $"no intact checkpoint to resume from ({string.Join("; ", failures)}); rerun with --restart to start afresh");
    }

    /// <summary>
    /// Restores one checkpoint folder (see <see cref="TryResume"/>). Everything is read and checked before the model is
    /// touched where the formats allow (state.json, weights); errors name the file.
    /// </summary>
    public static TrainingState Load(string dir, nn.Module module, optim.Optimizer? optimizer)
    {
        if (!IsComplete(dir)) throw new DirectoryNotFoundException($"{dir}: not a complete training checkpoint ({StateFile}/{WeightsFile} missing)");
        var statePath = Path.Combine(dir, StateFile);
        TrainingState state;
        try { state = JsonSerializer.Deserialize<TrainingState>(InputText.ReadAllText(statePath), JsonOptions) ?? throw new DataFormatException(statePath, "empty (null)"); }
        catch (JsonException e) { throw new DataFormatException(statePath, $"malformed or truncated JSON: {e.Message}", inner: e); }

        var weightsPath = Path.Combine(dir, WeightsFile);
        using (var saved = SafeTensors.LoadExact(weightsPath))
        {
            var targets = module.state_dict();
            foreach (var (name, tensor) in saved.Tensors)
            {
                if (!targets.TryGetValue(name, out var target))
                    throw new DataFormatException(weightsPath, $"tensor '{name}' has no counterpart in the model");
                if (!target.shape.SequenceEqual(tensor.shape))
                    throw new DataFormatException(weightsPath, $"'{name}' has shape [{string.Join(",", tensor.shape)}] in the checkpoint but [{string.Join(",", target.shape)}] in the model");
                if (tensor.is_floating_point() && !torch.isfinite(tensor).all().item<bool>())
                    throw new DataFormatException(weightsPath, $"'{name}' holds non-finite values (NaN or ±inf)");
            }
            using (no_grad())
                foreach (var (name, tensor) in saved.Tensors) targets[name].copy_(tensor);
        }

        var optimizerFile = Path.Combine(dir, OptimizerFile);
        if (optimizer is not null && File.Exists(optimizerFile))
        {
            try { AsHelper(optimizer).load_state_dict(optimizerFile); }
            catch (Exception e) when (e is EndOfStreamException or IOException or ArgumentException or InvalidOperationException or ExternalException or IndexOutOfRangeException)
            {
                throw new DataFormatException(optimizerFile, $"truncated or not an optimizer state of this model ({e.Message})", inner: e);
            }
        }

        var rngFile = Path.Combine(dir, RngFile);
        if (File.Exists(rngFile))
        {
            using var rng = SafeTensors.LoadExact(rngFile);
            if (!rng.Tensors.TryGetValue("cpu", out var cpu)) throw new DataFormatException(rngFile, "no 'cpu' generator state");
            torch.random.set_rng_state(cpu);
        }
        return state;
    }

    /// <summary>Deletes every checkpoint of the run (and its fingerprint): the next run starts afresh.</summary>
    public void Clear()
    {
        if (Directory.Exists(Root)) Directory.Delete(Root, recursive: true);
    }

    IEnumerable<(string, Tensor)> Weights(nn.Module module)
    {
        if (!TrainableOnly) return module.state_dict().Select(kv => (kv.Key, kv.Value));
        return module.named_parameters().Where(p => p.parameter.requires_grad).Select(p => (p.name, (Tensor)p.parameter));
    }

    static OptimizerHelper AsHelper(optim.Optimizer optimizer) => optimizer as OptimizerHelper
        ?? throw new ArgumentException($"{optimizer.GetType().Name} does not expose its state; use a managed TorchSharp optimizer such as AdamW");

    static bool IsComplete(string dir) => File.Exists(Path.Combine(dir, StateFile)) && File.Exists(Path.Combine(dir, WeightsFile));

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

    static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true };
}

/// <summary>A resume refused because the checkpoint was written by a run with other settings, data or base model.</summary>
public sealed class ResumeMismatchException(string root, IReadOnlyList<string> differences) : InvalidOperationException(
    $"{root}: the checkpoint was written by a run with other settings or data ({string.Join("; ", differences)}); " +
    "rerun with the same settings to resume it, or pass --restart to discard it and start afresh")
{
    public IReadOnlyList<string> Differences { get; } = differences;
}
