using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using IcdResearch.Cli.Figures;
using IcdResearch.Data;
using IcdResearch.Evaluation;
using IcdResearch.Pipelines.SystemA;
using IcdResearch.Pipelines.Baselines;
using IcdResearch.Pipelines.CodeCentric;
using IcdResearch.Pipelines.Study;

namespace IcdResearch.Cli.Commands;

/// <summary>
/// `icd reproduce`: from nothing to every number — the baseline peers, then System A (pretrain or reuse the backbone,
/// fine-tune its five models, run every ablation arm) — writing results/*.csv, results/predictions/ and
/// results/summary.json. Trained models are reused unless --force.
/// </summary>
public sealed class ReproduceCommand : ICliCommand
{
    public static readonly string[] Experiments = ["all", "baselines", "system-a", "ccl"];

    public Command Build()
    {
        var data = CommonOptions.Data();
        var seed = CommonOptions.Seed();
        var profile = new Option<string>("--profile")
        {
            Description = "smoke: the whole path on the synthetic sample in a few minutes (tiny models; unless --data is given). " +
                          "default: the real data, sized for ≤ 60 minutes on 2 CPU cores. " +
                          "quick: the real data with the tiny backbone (for an oversubscribed machine).",
            DefaultValueFactory = _ => "default",
        };
        profile.AcceptOnlyFromAmong("smoke", "quick", "default");
        var output = new Option<string>("--out") { Description = "Results folder (CSV files, predictions/, summary.json).", DefaultValueFactory = _ => "results" };
        var models = new Option<string?>("--models") { Description = "Models folder (backbone and fine-tuned models; reused when present). Default: models/<profile> (models/<profile>-seed<N> for a --seed other than 42). A model is reused only if it was trained with the same base model, settings and data." };
        var experiment = new Option<string>("--experiment")
        {
            Description = "Which experiment: all (baselines + system-a), baselines, system-a, or ccl (Code-Centric Learning, System B; same dataset and split, results/ccl_*.csv).",
            DefaultValueFactory = _ => "all",
        };
        experiment.AcceptOnlyFromAmong(Experiments);
        var force = new Option<bool>("--force") { Description = "Retrain every model (pretraining included) instead of reusing what is under --models." };
        var split = new Option<string?>("--split") { Description = $"Split file (default {Splits.DefaultPath}; a fresh seeded split for the synthetic sample)." };
        var study = new Option<bool>("--study")
        {
            Description = "Seed/fold study: System A, CCL and the baselines once per --seeds seed (OUT/seed-N/, models/<profile>[-seedN]), the baselines " +
                          "over the split's 5 folds × the seeds (OUT/folds/), pooled into OUT/study.csv (mean, SD over seeds, CI), OUT/study_deltas.csv " +
                          "(per ablation delta: pooled paired test, share of seeds with the paper's sign) and OUT/study_folds.csv. --experiment is ignored.",
        };
        var seeds = new Option<string>("--seeds") { Description = "Seeds of --study, comma-separated.", DefaultValueFactory = _ => string.Join(',', StudyPlan.DefaultSeeds) };
        var backboneSize = new Option<string?>("--backbone-size") { Description = "Scale curve: override the profile's backbone size (tiny, small, base); models go to models/<profile>-<size>[-seedN]." };
        var entityRecords = new Option<int?>("--entity-records") { Description = "Data curve: entity-view-only training records added to System A's fine-tuning (e.g. 0, 150, 300, 594; default: the profile's); models go to models/<profile>-e<N>[-seedN]." };

        var command = new Command("reproduce", "Run the experiments of the system paper (and peers) end to end and write results/*.csv and results/summary.json.")
        {
            data, profile, output, models, experiment, force, split, seed, study, seeds, backboneSize, entityRecords,
        };
        CommonOptions.Output(command, output, folder: true);
        CommonOptions.Output(command, models, folder: true);
        var backendOptions = new BackendOptions();
        backendOptions.AddTo(command);
        command.SetAction(parse =>
        {
            var profileName = parse.GetValue(profile)!;
            var dataDir = parse.GetValue(data);
            var dataset = profileName == "smoke" && dataDir is null ? Ccl25Dataset.Synthetic() : Ccl25Dataset.Load(dataDir);
            if (dataset.Notice is not null) Console.Error.WriteLine($"note: {dataset.Notice}");
            var (systemAProfile, modelsName) = Curves(SystemAProfile.Named(profileName), parse.GetValue(backboneSize), parse.GetValue(entityRecords));
            var options = new ReproduceOptions(dataset, Splits.For(dataset, parse.GetValue(split), parse.GetValue(seed)), systemAProfile,
                parse.GetValue(output)!, parse.GetValue(models) ?? DefaultModelsDir(modelsName, parse.GetValue(seed)), parse.GetValue(force), parse.GetValue(seed),
                dataset.IsSynthetic ? null : DataDirectory.Resolve(dataDir), backendOptions.Remote(parse));
            if (parse.GetValue(study))
            {
                var plan = new StudyPlan(parse.GetValue(seeds)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(int.Parse).ToList());
                RunStudy(options, plan, parse.GetValue(models) is null ? modelsName : null);
            }
            else Run(options, parse.GetValue(experiment)!);
            return 0;
        });
        return command;
    }

    /// <param name="Backend">System A's models on an OpenAI-compatible server (--backend openai) instead of trained and run in process.</param>
    public sealed record ReproduceOptions(Ccl25Dataset Data, DataSplit Split, SystemAProfile Profile, string OutDir, string ModelsDir, bool Force, int Seed, string? DataDir,
        ISystemABackend? Backend = null);

    /// <summary>
    /// The profile with the scale/data-curve overrides (backbone size; entity-view records added to fine-tuning) and the
    /// models-folder name that keeps each point's models apart (e.g. "default-base", "default-e150").
    /// </summary>
    public static (SystemAProfile Profile, string ModelsName) Curves(SystemAProfile profile, string? backboneSize, int? entityRecords)
    {
        var name = profile.Name;
        if (backboneSize is not null && backboneSize != profile.BackboneSize)
        {
            Tuning.BackbonePreset.Get(backboneSize);   // validates the name
            profile = profile with { BackboneSize = backboneSize };   // the profile's pretraining steps (null = the size's preset)
            name += $"-{backboneSize}";
        }
        if (entityRecords is { } n && n != profile.EntityOnlyTrainRecords)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(n, "--entity-records");
            profile = profile with { EntityOnlyTrainRecords = n };
            name += $"-e{n}";
        }
        return (profile, name);
    }

    /// <summary>
    /// The seed/fold study (<see cref="StudyRunner"/>): every seed's full reproduction (baselines, System A, CCL) into
    /// OUT/seed-N with its own models folder (unless --models pinned one folder, which then only holds the last seed),
    /// then the baselines over the folds, then the pooled tables.
    /// </summary>
    public static StudyRunner.Result RunStudy(ReproduceOptions o, StudyPlan plan, string? modelsName)
    {
        var result = StudyRunner.Run(plan, o.OutDir, o.Data, o.Split, (seed, dir) =>
        {
            var seedOptions = o with { Seed = seed, OutDir = dir, ModelsDir = modelsName is null ? o.ModelsDir : DefaultModelsDir(modelsName, seed) };
            Run(seedOptions, "all");
            Run(seedOptions, "ccl");
        }, Console.Error.WriteLine);
        Console.Error.WriteLine($"study: {plan.Seeds.Count} seeds, {result.Deltas.Count} pooled deltas → {Path.GetFullPath(o.OutDir)}/study*.csv");
        return result;
    }

    /// <summary>models/PROFILE for the default seed, models/PROFILE-seedN otherwise (so a seed study keeps every run's models).</summary>
    public static string DefaultModelsDir(string profile, int seed) => Path.Combine("models", seed == 42 ? profile : $"{profile}-seed{seed}");

    /// <summary>Runs the chosen experiment(s) and merges their part into summary.json.</summary>
    public static void Run(ReproduceOptions o, string experiment)
    {
        Directory.CreateDirectory(o.OutDir);
        var summaryPath = Path.Combine(o.OutDir, "summary.json");
        var summary = ReadSummary(summaryPath);
        var timings = summary["timings_seconds"] as JsonObject ?? new JsonObject();
        summary["profile"] = o.Profile.Name;
        summary["generated_utc"] = DateTime.UtcNow.ToString("O");
        summary["data"] = new JsonObject
        {
            ["source"] = o.Data.Source, ["synthetic"] = o.Data.IsSynthetic, ["split"] = o.Split.Name,
            ["n_train"] = o.Split.Train.Count, ["n_train_entities"] = o.Split.TrainEntities.Count, ["n_dev"] = o.Split.Dev.Count, ["n_test"] = o.Split.Test.Count,
        };

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

        if (experiment is "all" or "system-a")
        {
            var sw = Stopwatch.StartNew();
            var chipCdn = o.DataDir is not null && File.Exists(Path.Combine(o.DataDir, "chip-cdn", "train.json"))
                ? ChipCdn.Load(Path.Combine(o.DataDir, "chip-cdn", "train.json")) : [];
            var entityOnly = o.Split.TrainEntities.ToArray();
            new Random(o.Seed).Shuffle(entityOnly);
            // Test and dev records stay out of the backbone's pretraining, as in `icd pretrain` (dev drives selection).
            var backend = o.Backend ?? new TorchSystemABackend(o.Data, o.Split.HeldOutFromPretraining(), chipCdn, o.Profile, seed: o.Seed);
            var result = new SystemAExperiment(backend, new SystemARun
            {
                Data = o.Data,
                TrainIds = o.Split.Train.Concat(entityOnly.Take(o.Profile.EntityOnlyTrainRecords)).ToList(),
                DevIds = o.Split.Dev, TestIds = o.Split.Test, ChipCdn = chipCdn,
                ModelsDir = o.ModelsDir, OutDir = o.OutDir, Profile = o.Profile, Force = o.Force, Seed = o.Seed,
                PeerPredictions = Peers,
            }).Run();
            summary["system_a"] = JsonSerializer.SerializeToNode(result, new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower });
            timings["system_a"] = sw.Elapsed.TotalSeconds;
            Save(summaryPath, summary, timings);
        }

        if (experiment is "ccl")
        {
            var sw = Stopwatch.StartNew();
            // Code-Centric Learning (System B) shares the profile's pretrained backbone with System A (pretrained here if absent).
            var backbone = Path.Combine(o.ModelsDir, "backbone");
            new TorchSystemABackend(o.Data, o.Split.HeldOutFromPretraining(), [], o.Profile, seed: o.Seed).EnsureBackbone(backbone, o.Force);
            var cclOptions = CodeCentricOptions.ForProfile(o.Profile.Name == "smoke" ? "smoke" : "default") with
            {
                ResultsDir = o.OutDir, RunsDir = Path.Combine(o.ModelsDir, "ccl"), Seed = o.Seed, Backbone = backbone,
            };
            var result = CodeCentricExperiment.Run(cclOptions, o.Data, o.Split, o.DataDir, Console.Error.WriteLine);
            summary["ccl"] = new JsonObject { ["files"] = new JsonArray(result.Files.Keys.Select(k => (JsonNode)k).ToArray()) };
            timings["ccl"] = sw.Elapsed.TotalSeconds;
        }
        summary["paper_side_by_side"] = PaperSideBySideJson(o.OutDir);
        Save(summaryPath, summary, timings);
        Console.Error.WriteLine($"results written to {Path.GetFullPath(o.OutDir)}");
    }

    /// <summary>Every result row that mirrors a printed paper value, with that value on the same rate scale (<see cref="PaperReported"/>).</summary>
    static JsonArray PaperSideBySideJson(string outDir) =>
        new(PaperComparison.Pair(new ResultsFolder(outDir)).Select(p => (JsonNode)new JsonObject
        {
            ["file"] = p.File, ["arm"] = p.Ours.Arm, ["split"] = p.Ours.Split, ["metric"] = p.Ours.Metric, ["n"] = p.Ours.N,
            ["ours"] = p.Ours.Value, ["ours_ci_low"] = double.IsNaN(p.Ours.CiLow) ? null : p.Ours.CiLow, ["ours_ci_high"] = double.IsNaN(p.Ours.CiHigh) ? null : p.Ours.CiHigh,
            ["paper"] = $"{p.Paper.Paper}: {p.Paper.Source}", ["paper_printed"] = p.Paper.Printed, ["paper_scale"] = p.Paper.Scale.Describe(), ["paper_rate"] = p.Paper.Rate,
        }).ToArray());

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
