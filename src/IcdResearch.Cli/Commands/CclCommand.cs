using System.CommandLine;
using IcdResearch.Data;
using IcdResearch.Pipelines;
using IcdResearch.Pipelines.CodeCentric;

namespace IcdResearch.Cli.Commands;

/// <summary>
/// `icd ccl`: the Code-Centric Learning experiment (System B) — span pairs, ablation arms, and results/ccl_*.csv.
/// `icd reproduce --experiment ccl` runs the same code.
/// </summary>
public sealed class CclCommand : ICliCommand
{
    public Command Build()
    {
        var data = CommonOptions.Data();
        var seed = CommonOptions.Seed();
        var profile = new Option<string>("--profile")
        {
            Description = "smoke: the whole path on a few records in about a minute; default: the reported run (6 epochs per arm on the small backbone; minutes on a quiet 2-core machine); quick: default's arms on the quick profile's tiny backbone.",
            DefaultValueFactory = _ => "default",
        };
        profile.AcceptOnlyFromAmong([.. ExperimentProfile.Names]);
        var outDir = new Option<string>("--out") { Description = "Folder for results/ccl_*.csv and the versioned pair files.", DefaultValueFactory = _ => "results" };
        var models = new Option<string?>("--models") { Description = "Models folder, the same as `icd reproduce`'s: the backbone is <models>/backbone and the arms go to <models>/ccl. Default: models/<profile> (models/<profile>-seed<N> for a --seed other than 42)." };
        var runs = new Option<string?>("--runs") { Description = "Folder for trained arms and raw generations (re-runs reuse finished arms; with --backend openai only the generations, each arm being the served model named after its folder). Default: <models>/ccl." };
        var backbone = new Option<string?>("--backbone") { Description = "Backbone model folder (HF layout). Default: <models>/backbone (what `icd reproduce --profile <profile>` pretrains)." };
        var pairsOnly = new Option<bool>("--pairs-only") { Description = "Only build the gold/silver/synthetic span pairs and write them (no model needed)." };
        var epochs = new Option<int?>("--epochs") { Description = "Fine-tuning epochs per arm (default: the profile's)." }.Range(1);
        var withheld = new Option<int?>("--withheld") { Description = "Other-diagnosis codes withheld from the training documents so that Figure 3 has unseen codes (default: the profile's; 0 = none)." }.Range(0);
        var command = new Command("ccl",
            "Run the Code-Centric Learning experiment (System B, Zhang et al.).\n" +
            "Builds gold/silver/synthetic span pairs, trains the Table 3 ablation arms on mixed document/span examples and " +
            "writes the Table 2–4 and Figure 3 analogues to results/ccl_*.csv. `icd reproduce --experiment ccl` runs the same. " +
            "With --backend openai the backbone and arms are models on a server (trained elsewhere) and only inference runs here.\n" +
            "Example: icd ccl --profile smoke --out runs/smoke")
        {
            data, seed, profile, outDir, models, runs, backbone, pairsOnly, epochs, withheld,
        };
        CommonOptions.Output(command, outDir, folder: true);
        CommonOptions.Output(command, runs, folder: true);
        var backendOptions = new BackendOptions();
        backendOptions.AddTo(command);
        command.SetAction(parse =>
        {
            var profileName = parse.GetValue(profile)!;
            var root = parse.GetValue(models) ?? ModelLayout.Root(profileName, parse.GetValue(seed));
            var options = ExperimentProfile.Named(profileName).CodeCentric with
            {
                Seed = parse.GetValue(seed), ResultsDir = parse.GetValue(outDir)!, RunsDir = parse.GetValue(runs) ?? ModelLayout.CodeCentricRuns(root),
                Backbone = parse.GetValue(backbone) ?? ModelLayout.Backbone(root),
            };
            if (parse.GetValue(epochs) is { } e) options = options with { FineTune = options.FineTune with { Epochs = e } };
            if (parse.GetValue(withheld) is { } w) options = options with { WithheldCodes = w };
            var remote = backendOptions.Remote(parse);   // options are checked before any work
            var dataDir = parse.GetValue(data);
            var built = CodeCentricData.Load(options, dataDir, Console.Error.WriteLine);
            if (parse.GetValue(pairsOnly))
            {
                foreach (var row in CodeCentricExperiment.WritePairs(built, options))
                    Console.WriteLine($"{row.Arm,-20} {row.Metric,-28} {row.Value,10:G4}  {row.Note}");
                return 0;
            }
            if (remote is null && !File.Exists(Path.Combine(options.Backbone!, "config.json")))
                throw new FileNotFoundException($"backbone not found: {options.Backbone}/config.json (pretrain it with `icd reproduce --profile {profileName} --experiment ccl`, or pass --backbone DIR)");
            CodeCentricExperiment.Run(built, (IModelBackend?)remote ?? new TorchModelBackend(log: Console.Error), options, log: Console.WriteLine);
            return 0;
        });
        return command;
    }
}
