using System.CommandLine;
using System.Reflection;
using System.Text;
using System.Text.Json;
using IcdResearch.Data;
using IcdResearch.Modeling;
using IcdResearch.Tuning;
using TorchSharp;

namespace IcdResearch.Cli.Commands;

/// <summary>
/// `icd info`: what this installation sees — every dataset file with its record count (and whether it is the synthetic
/// sample), the model folders with their training fingerprints, the TorchSharp/libtorch versions, threads and whether
/// the GLIBCXX patch of libLibTorchSharp.so (build/TorchSharpGlibcxxPatch.targets) was needed and works.
/// </summary>
public sealed class InfoCommand : ICliCommand
{
    /// <summary>The dataset files of the layout in data/README.md, with what one record of each is.</summary>
    static readonly (string Path, string Unit)[] DatasetFiles =
    [
        ("ccl25/train-raw.json", "records"), ("ccl25/train-labels.json", "labelled records"), ("ccl25/train-entities.json", "entity views"),
        ("ccl25/test-a-raw.json", "records"), ("ccl25/test-a-entities.json", "entity views"),
        ("codes/dccnce-2.0.tsv", "codes"), ("chip-cdn/train.json", "mentions"), ("chip-cdn/dev.json", "mentions"),
        ("qwen2-tokenizer/vocab.json", "tokens"), ("qwen2-tokenizer/merges.txt", "merges"),
    ];

    public Command Build()
    {
        var data = CommonOptions.Data();
        var models = new Option<string>("--models") { Description = "Folder searched for model folders.", DefaultValueFactory = _ => "models" };
        var command = new Command("info",
            "Show the data, models and runtime this installation sees.\n" +
            "Lists every dataset file with its record count (SYNTHETIC when it is the project's synthetic sample), the model " +
            "folders with their training fingerprints, the TorchSharp and libtorch versions, threads and the GLIBCXX patch status.\n" +
            "Example: icd info --data ../shared/data") { data, models };
        command.SetAction(parse =>
        {
            var output = parse.InvocationConfiguration.Output;
            var given = parse.GetValue(data);
            var dir = DataDirectory.Resolve(given);
            var source = given is not null ? "--data" : Environment.GetEnvironmentVariable(DataDirectory.EnvironmentVariable) is { Length: > 0 } ? $"${DataDirectory.EnvironmentVariable}" : "default ./data";
            output.WriteLine($"data folder: {dir} (from {source}){(Directory.Exists(dir) ? "" : " — does not exist; commands that need data use the built-in SYNTHETIC sample or fail")}");
            foreach (var line in DatasetLines(dir)) output.WriteLine("  " + line);

            var modelsDir = parse.GetValue(models)!;
            var folders = ModelFolders(modelsDir).ToList();
            output.WriteLine($"model folders under {Path.GetFullPath(modelsDir)}: {(folders.Count == 0 ? "none" : folders.Count.ToString())}");
            foreach (var line in folders) output.WriteLine("  " + line);

            output.WriteLine("runtime:");
            output.WriteLine($"  TorchSharp {Version(typeof(torch).Assembly)}, libtorch {PackageVersion("libtorch-cpu-linux-x64") ?? "?"} (CPU), .NET {Environment.Version}");
            output.WriteLine($"  GLIBCXX patch: {GlibcxxStatus(out var loaded)}");
            if (loaded) output.WriteLine($"  threads: {torch.get_num_threads()} libtorch intra-op (ICD_THREADS), {Environment.ProcessorCount} logical processors");
            return 0;
        });
        return command;
    }

    static IEnumerable<string> DatasetLines(string dir)
    {
        var syntheticMarker = File.Exists(Path.Combine(dir, "SYNTHETIC.txt"));
        foreach (var (relative, unit) in DatasetFiles)
        {
            var path = Path.Combine(dir, relative);
            if (!File.Exists(path)) { yield return $"{relative,-28} missing"; continue; }
            string count, kind = "";
            try
            {
                var (n, synthetic) = Count(path);
                count = $"{n,7:N0} {unit}";
                if (synthetic is { } s) kind = s || syntheticMarker ? "  SYNTHETIC sample" : "  real";
            }
            catch (Exception e) when (e is JsonException or IOException or DataFormatException) { count = $"unreadable ({e.Message})"; }
            yield return $"{relative,-28} {count}{kind}";
        }
    }

    /// <summary>Records in a dataset file and, for CCL25 files, whether every 病案标识 is a synthetic id.</summary>
    static (int Count, bool? Synthetic) Count(string path)
    {
        if (path.EndsWith(".tsv", StringComparison.Ordinal) || path.EndsWith(".txt", StringComparison.Ordinal))
        {
            var lines = File.ReadLines(path).Where(l => l.Length > 0).ToList();
            var header = path.EndsWith(".tsv", StringComparison.Ordinal) || lines.FirstOrDefault()?.StartsWith("#version", StringComparison.Ordinal) == true;
            return (lines.Count - (header && lines.Count > 0 ? 1 : 0), null);
        }
        if (Path.GetFileName(path) == "vocab.json")
        {
            using var vocab = JsonDocument.Parse(File.ReadAllBytes(path));
            return (vocab.RootElement.EnumerateObject().Count(), null);
        }
        return DataDirectory.CountRecords(path);
    }

    static bool IsModelFolder(string dir) =>
        TrainingFingerprint.Read(dir) is not null || File.Exists(Path.Combine(dir, "config.json")) || File.Exists(Path.Combine(dir, "adapter_config.json"))
        || File.Exists(Path.Combine(dir, Pipelines.SystemA.SystemAConfig.FileName));

    /// <summary>
    /// The model folders in <paramref name="root"/>: the folder itself, its sub-folders and (for a folder of profiles
    /// such as models/default) theirs, each described by its fingerprint, state and training data.
    /// </summary>
    static IEnumerable<string> ModelFolders(string root)
    {
        if (!Directory.Exists(root)) yield break;
        IEnumerable<string> Children(string d) => Directory.EnumerateDirectories(d).Order(StringComparer.Ordinal);
        var candidates = new[] { root }.Concat(Children(root).SelectMany(d => IsModelFolder(d) ? [d] : Children(d).Prepend(d)));
        foreach (var dir in candidates)
        {
            if (!IsModelFolder(dir)) continue;
            var fingerprint = TrainingFingerprint.Read(dir);
            var isModel = Inference.ModelFolder.Holds(dir);
            var notes = new List<string>();
            if (fingerprint is not null) notes.Add($"fingerprint {fingerprint[..Math.Min(12, fingerprint.Length)]}");
            else if (isModel) notes.Add("no training fingerprint");
            if (File.Exists(Path.Combine(dir, "sft-metrics.json")))
                notes.Add(FineTuneRun.Completed(dir) ? "fine-tuning completed" : "fine-tuning incomplete (resumable)");
            if (File.Exists(Path.Combine(dir, BackbonePretraining.ReportFile)))
            {
                using var report = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, BackbonePretraining.ReportFile)));
                var synthetic = report.RootElement.TryGetProperty(nameof(PretrainReport.SyntheticData), out var s) && s.GetBoolean();
                var size = report.RootElement.TryGetProperty("Size", out var z) ? z.GetString() : "?";
                notes.Add($"pretrained {size} backbone on {(synthetic ? "the SYNTHETIC sample" : "real data")}");
            }
            if (File.Exists(Path.Combine(dir, Pipelines.SystemA.SystemAConfig.FileName)))
            {
                var config = Pipelines.SystemA.SystemAConfig.Load(dir);
                notes.Add($"System A models ({(config.Database.All(e => SyntheticSample.IsSyntheticId(e.Id)) ? "trained on the SYNTHETIC sample" : "trained on real data")})");
            }
            yield return $"{Path.GetRelativePath(Environment.CurrentDirectory, dir),-32} {string.Join("; ", notes)}";
        }
    }

    static string Version(Assembly assembly) =>
        assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? assembly.GetName().Version?.ToString() ?? "?";

    /// <summary>A NuGet package's version from this application's deps.json (e.g. the libtorch native package).</summary>
    static string? PackageVersion(string package)
    {
        var deps = Directory.EnumerateFiles(AppContext.BaseDirectory, "*.deps.json").FirstOrDefault();
        if (deps is null) return null;
        using var doc = JsonDocument.Parse(File.ReadAllText(deps));
        return doc.RootElement.GetProperty("libraries").EnumerateObject()
            .Select(p => p.Name.Split('/')).FirstOrDefault(p => p[0].Equals(package, StringComparison.OrdinalIgnoreCase)) is { } found ? found[1] : null;
    }

    /// <summary>
    /// Whether libLibTorchSharp.so's GLIBCXX_3.4.32 requirement had to be patched for this system's libstdc++, and
    /// whether the library now loads (which an unpatched copy would not where it was needed).
    /// </summary>
    static string GlibcxxStatus(out bool loaded)
    {
        string? error = null;
        try { TorchRuntime.EnsureLoaded(); loaded = true; }
        catch (InvalidOperationException e) { loaded = false; error = e.Message; }
        var libstdcxx = new[] { "/usr/lib/x86_64-linux-gnu", "/lib/x86_64-linux-gnu", "/usr/lib64", "/lib64", "/usr/lib" }
            .Select(d => Path.Combine(d, "libstdc++.so.6")).FirstOrDefault(File.Exists);
        if (libstdcxx is null) return loaded ? "no system libstdc++.so.6 found; libtorch loads" : $"no system libstdc++.so.6 found; libtorch does not load: {error}";
        var newest = Encoding.ASCII.GetString(File.ReadAllBytes(libstdcxx)).Split('\0')
            .Where(s => s.StartsWith("GLIBCXX_3.4.", StringComparison.Ordinal) && int.TryParse(s["GLIBCXX_3.4.".Length..], out _))
            .Select(s => int.Parse(s["GLIBCXX_3.4.".Length..])).DefaultIfEmpty(0).Max();
        if (newest >= 32) return $"not needed (system libstdc++ provides GLIBCXX_3.4.{newest}); libtorch {(loaded ? "loads" : $"does not load: {error}")}";
        return loaded
            ? $"applied — system libstdc++ stops at GLIBCXX_3.4.{newest}, the patched libLibTorchSharp.so loads"
            : $"NEEDED but not effective — system libstdc++ stops at GLIBCXX_3.4.{newest} and libtorch does not load: {error}";
    }
}
