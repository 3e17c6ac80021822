using System.CommandLine;
using IcdResearch.Figures;
using IcdResearch.Data;
using IcdResearch.Pipelines;
using IcdResearch.Pipelines.Study;

namespace IcdResearch.Cli.Commands;

/// <summary>
/// `icd reproduce`: from nothing to every number — the baseline peers, then System A (pretrain or reuse the backbone,
/// fine-tune its five models, run every ablation arm) — writing results/*.csv, results/predictions/ and
/// results/summary.json. Trained models are reused unless --force. The command parses options; the runs are
/// <see cref="Reproduction.Run"/>.
/// </summary>
public sealed class ReproduceCommand : ICliCommand
{

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
        profile.AcceptOnlyFromAmong([.. ExperimentProfile.Names]);
        var output = new Option<string>("--out") { Description = "Results folder (CSV files, predictions/, summary.json).", DefaultValueFactory = _ => "results" };
        var models = new Option<string?>("--models") { Description = "Models folder (backbone and fine-tuned models; reused when present). Default: models/<profile> (models/<profile>-seed<N> for a --seed other than 42). A model is reused only if it was trained with the same base model, settings and data." };
        var experiment = new Option<string>("--experiment")
        {
            Description = "Which experiment: all (baselines + system-a), baselines, system-a, or ccl (Code-Centric Learning, System B; same dataset and split, results/ccl_*.csv).",
            DefaultValueFactory = _ => "all",
        };
        experiment.AcceptOnlyFromAmong(Reproduction.Experiments);
        var force = new Option<bool>("--force") { Description = "Retrain every model (pretraining included) instead of reusing what is under --models." };
        var split = new Option<string?>("--split") { Description = $"Split file (default {Splits.DefaultPath}; a fresh seeded split for the synthetic sample)." };
        var study = new Option<bool>("--study")
        {
            Description = "Seed/fold study: System A, CCL and the baselines once per --seeds seed (OUT/seed-N/, models/<profile>[-seedN]), the baselines " +
                          "over the split's 5 folds × the seeds (OUT/folds/), pooled into OUT/study.csv (mean, SD over seeds, CI), OUT/study_deltas.csv " +
                          "(per ablation delta: pooled paired test, share of seeds with the paper's sign) and OUT/study_folds.csv. --experiment is ignored.",
        };
        var resume = new Option<bool>("--resume")
        {
            Description = $"With --study: keep the seed folders and fold runs that finished before (they hold {StudyPlan.CompleteMarker}), run the rest and " +
                          "pool all of them — after an interruption, or to re-pool, with the same code, settings and --out.",
        };
        var seeds = new Option<string>("--seeds") { Description = "Seeds of --study, comma-separated.", DefaultValueFactory = _ => string.Join(',', StudyPlan.DefaultSeeds) };
        var backboneSize = new Option<string?>("--backbone-size") { Description = "Scale curve: override the profile's backbone size (tiny, small, base); models go to models/<profile>-<size>[-seedN]. The curve figures read the point from --out results/curves/backbone-<size>." };
        var entityRecords = new Option<int?>("--entity-records") { Description = "Data curve: entity-view-only training records added to System A's fine-tuning (e.g. 0, 150, 300, 594; default: the profile's); models go to models/<profile>-e<N>[-seedN]. The curve figures read the point from --out results/curves/entities-<N>." };

        var command = new Command("reproduce",
            "Run the papers' experiments end to end.\n" +
            "Baselines, then System A: pretrain (or reuse) the backbone, fine-tune its five models, run every ablation arm; " +
            "writes results/*.csv, results/predictions/ and results/summary.json, and ends with a table of the headline rows " +
            "next to the papers' values. --experiment ccl runs Code-Centric Learning (System B) instead.\n" +
            "Example: icd reproduce --profile smoke --out runs/smoke")
        {
            data, profile, output, models, experiment, force, split, seed, study, seeds, resume, backboneSize, entityRecords,
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
            var (experimentProfile, modelsName) = Reproduction.Curves(ExperimentProfile.Named(profileName), parse.GetValue(backboneSize), parse.GetValue(entityRecords));
            var options = new ReproduceOptions(dataset, Splits.For(dataset, parse.GetValue(split), parse.GetValue(seed)), experimentProfile,
                parse.GetValue(output)!, parse.GetValue(models) ?? ModelLayout.Root(modelsName, parse.GetValue(seed)), parse.GetValue(force), parse.GetValue(seed),
                dataset.IsSynthetic ? null : DataDirectory.Resolve(dataDir), backendOptions.Remote(parse));
            if (parse.GetValue(resume) && !parse.GetValue(study))
            {
                Console.Error.WriteLine("icd reproduce: --resume applies to --study only.");
                return 2;
            }
            if (parse.GetValue(study))
            {
                var plan = new StudyPlan(parse.GetValue(seeds)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(int.Parse).ToList(), Resume: parse.GetValue(resume));
                var result = StudyRunner.Run(plan, options.OutDir, options.Data, options.Split, (s, dir) =>
                {
                    // Each seed: its own results folder and (unless --models pinned one) its own models folder.
                    var seedOptions = options with { Seed = s, OutDir = dir, ModelsDir = parse.GetValue(models) ?? ModelLayout.Root(modelsName, s) };
                    Reproduction.Run(seedOptions, "all");
                    Reproduction.Run(seedOptions, "ccl");
                    PaperComparison.AddToSummary(dir);
                }, Console.Error.WriteLine);
                Console.Error.WriteLine($"study: {plan.Seeds.Count} seeds, {result.Deltas.Count} pooled deltas → {Path.GetFullPath(options.OutDir)}/study*.csv");
                return 0;
            }
            Reproduction.Run(options, parse.GetValue(experiment)!);
            PaperComparison.AddToSummary(options.OutDir);
            var console = Spectre.Console.AnsiConsole.Console;
            if (Console.IsOutputRedirected) console.Profile.Width = 160; // a log file: one line per table row
            Reporting.HeadlineTable.Write(console, options.OutDir, dataset.IsSynthetic);
            return 0;
        });
        return command;
    }

}
