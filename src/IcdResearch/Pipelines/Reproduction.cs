using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using IcdResearch.Data;
using IcdResearch.Evaluation;
using IcdResearch.Pipelines.Baselines;
using IcdResearch.Pipelines.CodeCentric;
using IcdResearch.Pipelines.SystemA;

namespace IcdResearch.Pipelines;

/// <summary>
/// What `icd reproduce` runs: data, split, profile, folders (<c>ModelsDir</c> in the <see cref="ModelLayout"/>) and seed;
/// <c>Backend</c> puts the models (System A's roles, Code-Centric Learning's arms) on an OpenAI-compatible server
/// (--backend openai) instead of training and running them in process.
/// </summary>
public sealed record ReproduceOptions(Ccl25Dataset Data, DataSplit Split, ExperimentProfile Profile, string OutDir, string ModelsDir, bool Force, int Seed, string? DataDir,
    IModelBackend? Backend = null);

/// <summary>
/// `icd reproduce` as a library call: the baseline peers, System A (<see cref="SystemAExperiment"/>) and Code-Centric
/// Learning (<see cref="CodeCentricExperiment"/>) on one dataset and split, each merging its part into results/summary.json.
/// </summary>
public static class Reproduction
{
    public static readonly string[] Experiments = ["all", "baselines", "system-a", "ccl"];

    /// <summary>
    /// The profile with the scale/data-curve overrides (backbone size; entity-view records added to fine-tuning) and the
    /// models-folder name that keeps each point's models apart (e.g. "default-base", "default-e150").
    /// </summary>
    public static (ExperimentProfile Profile, string ModelsName) Curves(ExperimentProfile profile, string? backboneSize, int? entityRecords)
    {
        var name = profile.Name;
        var systemA = profile.SystemA;
        if (backboneSize is not null && backboneSize != systemA.BackboneSize)
        {
            Tuning.BackbonePreset.Get(backboneSize);   // validates the name
            systemA = systemA with { BackboneSize = backboneSize };   // the profile's pretraining steps (null = the size's preset)
            name += $"-{backboneSize}";
        }
        if (entityRecords is { } n && n != systemA.EntityOnlyTrainRecords)
        {
            if (n < 0) throw new ArgumentException($"--entity-records must be >= 0 (got {n})");
            systemA = systemA with { EntityOnlyTrainRecords = n };
            name += $"-e{n}";
        }
        return (profile with { SystemA = systemA }, name);
    }

    /// <summary>Runs the chosen experiment(s) and merges their part into summary.json.</summary>
    public static void Run(ReproduceOptions o, string experiment)
    {
        Directory.CreateDirectory(o.OutDir);
        var summaryPath = Path.Combine(o.OutDir, "summary.json");
        var summary = ReadSummary(summaryPath);
        RefuseToMixData(summaryPath, summary, o.Data);
        var timings = summary["timings_seconds"] as JsonObject ?? new JsonObject();
        summary["profile"] = o.Profile.Name;
        summary["generated_utc"] = DateTime.UtcNow.ToString("O");
        summary["data"] = new JsonObject
        {
            ["source"] = o.Data.Source, ["synthetic"] = o.Data.IsSynthetic, ["split"] = o.Split.Name,
            ["n_train"] = o.Split.Train.Count, ["n_train_entities"] = o.Split.TrainEntities.Count, ["n_dev"] = o.Split.Dev.Count, ["n_test"] = o.Split.Test.Count,
        };
        // Where this run sits on the scale and data curves (parameters counted once the backbone exists).
        void RecordCurvePoint() => summary[CurvePoint.SummaryKey] = CurvePoint.Of(o.Profile.SystemA, o.ModelsDir).ToJson();
        RecordCurvePoint();

        if (experiment is "all" or "baselines")
        {
            var sw = Stopwatch.StartNew();
            var predDir = Path.Combine(o.OutDir, "predictions", "baselines");
            var rows = BaselineExperiment.Run(o.Data, o.Split, o.Seed, predDir, line => Console.Error.WriteLine(line));
            ResultsTable.Write(Path.Combine(o.OutDir, "baselines.csv"), rows);
            summary["baselines"] = new JsonObject(rows.Where(r => r.Split.EndsWith("test", StringComparison.Ordinal) && r.Metric is "acc_f1" or "acc_recall")
                .Select(r => KeyValuePair.Create($"{r.Arm}.{r.Metric}", (JsonNode?)r.Value)));
            timings["baselines"] = sw.Elapsed.TotalSeconds;
            Save(summaryPath, summary, timings);
        }
        IReadOnlyDictionary<string, IReadOnlyList<CodeAssignment>> Peers()
        {
            var peers = new Dictionary<string, IReadOnlyList<CodeAssignment>>();
            foreach (var peer in new[] { "tfidf-lr", "knn", "frequency" })
            {
                var file = Path.Combine(o.OutDir, "predictions", "baselines", $"{peer}.json");
                if (File.Exists(file)) peers[peer] = SubmissionFormat.Read(file);
            }
            return peers;
        }

        // One model layer for both systems: the backbone is pretrained (or reused) once; test and dev records stay out of
        // its pretraining, as in `icd pretrain` (dev drives selection).
        var chipCdn = o.DataDir is not null && File.Exists(Path.Combine(o.DataDir, "chip-cdn", "train.json"))
            ? ChipCdn.Load(Path.Combine(o.DataDir, "chip-cdn", "train.json")) : [];
        var systemA = o.Profile.SystemA;
        var local = new TorchModelBackend(new BackboneRecipe(o.Data, o.Split.HeldOutFromPretraining(), chipCdn, systemA.BackboneSize, systemA.PretrainSteps, o.Seed));
        var backend = o.Backend ?? local;
        if (experiment is "all" or "system-a")
        {
            var sw = Stopwatch.StartNew();
            var entityOnly = o.Split.TrainEntities.ToArray();
            new Random(o.Seed).Shuffle(entityOnly);
            var result = new SystemAExperiment(backend, new SystemARun
            {
                Data = o.Data,
                TrainIds = o.Split.Train.Concat(entityOnly.Take(systemA.EntityOnlyTrainRecords)).ToList(),
                DevIds = o.Split.Dev, TestIds = o.Split.Test, ChipCdn = chipCdn,
                ModelsDir = o.ModelsDir, OutDir = o.OutDir, Profile = systemA, Force = o.Force, Seed = o.Seed,
                PeerPredictions = Peers,
            }).Run();
            summary["system_a"] = JsonSerializer.SerializeToNode(result, new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower });
            timings["system_a"] = sw.Elapsed.TotalSeconds;
            RecordCurvePoint();
            Save(summaryPath, summary, timings);
        }

        if (experiment is "ccl")
        {
            var sw = Stopwatch.StartNew();
            // Code-Centric Learning (System B) shares the profile's pretrained backbone with System A (pretrained here if
            // absent, unless served).
            var backbone = ModelLayout.Backbone(o.ModelsDir);
            backend.EnsureBackbone(backbone, o.Force);
            var cclOptions = o.Profile.CodeCentric with
            {
                ResultsDir = o.OutDir, RunsDir = ModelLayout.CodeCentricRuns(o.ModelsDir), Seed = o.Seed, Backbone = backbone,
            };
            var result = CodeCentricExperiment.Run(cclOptions, backend, o.Data, o.Split, o.DataDir, Console.Error.WriteLine);
            summary["ccl"] = new JsonObject { ["files"] = new JsonArray(result.Files.Keys.Select(k => (JsonNode)k).ToArray()) };
            timings["ccl"] = sw.Elapsed.TotalSeconds;
            RecordCurvePoint();
        }
        Save(summaryPath, summary, timings);
        Console.Error.WriteLine($"results written to {Path.GetFullPath(o.OutDir)}");
    }

    /// <summary>
    /// One results folder holds one dataset's results: summary.json and the headline table merge what earlier runs left
    /// there, so synthetic-sample results written over the real data's (e.g. a smoke run into the committed results/)
    /// would mix the two. Refused with the folder named; the caller writes elsewhere or deletes the old results.
    /// </summary>
    static void RefuseToMixData(string summaryPath, JsonObject summary, Ccl25Dataset data)
    {
        if (summary["data"]?["synthetic"] is not JsonValue previous || !previous.TryGetValue(out bool wasSynthetic) || wasSynthetic == data.IsSynthetic) return;
        string Kind(bool synthetic) => synthetic ? "the SYNTHETIC sample" : "real data";
        throw new ArgumentException(
            $"{Path.GetDirectoryName(Path.GetFullPath(summaryPath))} holds results of {Kind(wasSynthetic)} (summary.json: data.synthetic = {(wasSynthetic ? "true" : "false")}, " +
            $"source {summary["data"]?["source"]}); this run uses {Kind(data.IsSynthetic)}. Write it to another folder (e.g. --out runs/smoke) so the two are not mixed, or delete that folder's results first.");
    }

    static JsonObject ReadSummary(string path)
    {
        if (!File.Exists(path)) return new JsonObject();
        try { return JsonNode.Parse(IcdResearch.IO.InputText.ReadAllText(path)) as JsonObject ?? throw new DataFormatException(path, "must be a JSON object"); }
        catch (JsonException e) { throw new DataFormatException(path, $"malformed or truncated JSON ({e.Message}); delete it to start a new summary", inner: e); }
    }

    /// <summary>Writes summary.json, first merging in sections another run wrote meanwhile (e.g. baselines in parallel).</summary>
    static void Save(string path, JsonObject summary, JsonObject timings)
    {
        foreach (var (key, value) in ReadSummary(path))
            if (!summary.ContainsKey(key) && value is not null) summary[key] = value.DeepClone();
        if (ReadSummary(path)["timings_seconds"] is JsonObject onDisk)
            foreach (var (key, value) in onDisk)
                if (!timings.ContainsKey(key) && value is not null) timings[key] = value.DeepClone();
        summary["timings_seconds"] = timings.DeepClone();
        IcdResearch.IO.AtomicFile.WriteAllText(path, summary.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }));
    }
}
