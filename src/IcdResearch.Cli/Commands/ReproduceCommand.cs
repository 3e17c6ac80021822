using System.CommandLine;
using IcdResearch.Data;
using IcdResearch.Pipelines;

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

        var command = new Command("reproduce", "Run the experiments of the system paper (and peers) end to end and write results/*.csv and results/summary.json.")
        {
            data, profile, output, models, experiment, force, split, seed,
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
            var options = new ReproduceOptions(dataset, Splits.For(dataset, parse.GetValue(split), parse.GetValue(seed)), ExperimentProfile.Named(profileName),
                parse.GetValue(output)!, parse.GetValue(models) ?? ModelLayout.Root(profileName, parse.GetValue(seed)), parse.GetValue(force), parse.GetValue(seed),
                dataset.IsSynthetic ? null : DataDirectory.Resolve(dataDir), backendOptions.Remote(parse));
            Reproduction.Run(options, parse.GetValue(experiment)!);
            return 0;
        });
        return command;
    }

}
