using System.CommandLine;
using IcdResearch.Data;
using IcdResearch.Pipelines;
using IcdResearch.Pipelines.SystemA;
using IcdResearch.Tuning;

namespace IcdResearch.Cli.Commands;

/// <summary>
/// `icd export-sft`: write a project SFT dataset in LLaMA-Factory's alpaca format plus dataset_info.json and, with
/// --base-model, a Table 1 training YAML per model (<see cref="LlamaFactoryRecipe"/>). <c>--task system-a</c> writes the
/// five System A sets exactly as `icd reproduce` builds them (same split, profile and seed; nothing is trained).
/// </summary>
public sealed class ExportSftCommand : ICliCommand
{
    /// <summary>Datasets this command can build.</summary>
    static readonly string[] Tasks = ["primary-name", "system-a"];

    public Command Build()
    {
        var data = CommonOptions.Data();
        var task = new Option<string>("--task")
        {
            Description = "Dataset to build. primary-name: 入院诊断 + 主诉 → name of the primary diagnosis code (one example per raw record). " +
                          "system-a: the five System A fine-tuning sets (primary, rejudge, other_direct, other_ner, ner) as `icd reproduce` builds them, ROLE-train / ROLE-dev.",
            DefaultValueFactory = _ => Tasks[0],
        };
        var split = new Option<string?>("--split") { Description = $"Split file (default {Splits.DefaultPath}); writes NAME-train, NAME-dev and NAME-test." };
        var name = new Option<string?>("--name") { Description = "Dataset name prefix in dataset_info.json (default ccl25-TASK)." };
        var output = CommonOptions.Out("Folder for NAME-{train,dev,test}.json and dataset_info.json (LLaMA-Factory's data/ folder layout; existing entries are kept).");
        var baseModel = new Option<string?>("--base-model") { Description = "Also write a LLaMA-Factory training YAML per model (Lv et al. Table 1: QLoRA 4-bit, 10 epochs, dropout 0.05, AdamW, batch 2, cutoff 5120, lr 1e-4) for this base model, e.g. Qwen/Qwen2.5-7B-Instruct." };
        var rejudgeBase = new Option<string?>("--rejudge-base-model") { Description = "Base model of the re-judge model (the paper: deepseek-ai/DeepSeek-R1-Distill-Qwen-7B); default --base-model." };
        var template = new Option<string?>("--template") { Description = "LLaMA-Factory chat template (default: from the base model name: qwen, qwen3, deepseekr1, llama3)." };
        var profile = new Option<string>("--profile") { Description = "--task system-a: the `icd reproduce` profile whose sets to write (smoke uses the synthetic sample unless --data).", DefaultValueFactory = _ => "default" };
        profile.AcceptOnlyFromAmong("smoke", "quick", "default");
        var seed = CommonOptions.Seed();
        var command = new Command("export-sft",
            "Write an SFT dataset in LLaMA-Factory alpaca format.\n" +
            "instruction/input/output records with a dataset_info.json entry, so the same experiment can be rerun with " +
            "llamafactory-cli on GPUs and its PEFT adapter evaluated here (docs/scale-out.md).\n" +
            "Example: icd export-sft --task primary-name --out sft/")
            { data, task, split, name, output, baseModel, rejudgeBase, template, profile, seed };
        CommonOptions.Output(command, output, folder: true);
        command.SetAction(parse =>
        {
            var t = parse.GetValue(task)!;
            if (!Tasks.Contains(t)) throw new ArgumentException($"unknown --task '{t}' (available: {string.Join(", ", Tasks)})");
            var outDir = parse.GetValue(output)!;
            LlamaFactoryExport.ReadDatasetInfo(outDir);   // a corrupt dataset_info.json fails here, before anything is written
            LlamaFactoryRecipe? Recipe(string role)
            {
                var model = role == "rejudge" ? parse.GetValue(rejudgeBase) ?? parse.GetValue(baseModel) : parse.GetValue(baseModel);
                return model is null ? null : new LlamaFactoryRecipe { BaseModel = model, Template = parse.GetValue(template), Seed = parse.GetValue(seed) };
            }
            if (t == "system-a") return ExportSystemA(parse.GetValue(profile)!, parse.GetValue(data), parse.GetValue(split), parse.GetValue(seed), outDir, Recipe);
            var dataset = Ccl25Dataset.Load(parse.GetValue(data));
            var parts = Splits.For(dataset, parse.GetValue(split));
            var prefix = parse.GetValue(name) ?? $"ccl25-{t}";
            foreach (var part in new[] { "train", "dev", "test" })
            {
                var examples = PrimaryDiagnosisSft.For(dataset, parts.Part(part));
                var path = LlamaFactoryExport.Write(examples, outDir, $"{prefix}-{part}");
                Console.WriteLine($"wrote {path}: {examples.Count} examples");
            }
            if (Recipe(t) is { } recipe) Console.WriteLine($"wrote {recipe.Write(outDir, prefix, $"{prefix}-train", $"{prefix}-dev", Path.Combine("saves", prefix))}");
            return 0;
        });
        return command;
    }

    /// <summary>
    /// Runs `icd reproduce --experiment system-a`'s data steps with a <see cref="SftExportBackend"/> that writes each
    /// model's sets (and YAML) instead of training, stopping after the last one.
    /// </summary>
    static int ExportSystemA(string profileName, string? dataDir, string? split, int seed, string outDir, Func<string, LlamaFactoryRecipe?> recipe)
    {
        var dataset = profileName == "smoke" && dataDir is null ? Ccl25Dataset.Synthetic() : Ccl25Dataset.Load(dataDir);
        var scratch = Path.Combine(Path.GetTempPath(), $"icd-export-{Guid.NewGuid():N}");
        var backend = new SftExportBackend(outDir, recipe, inner: null, SystemAExperiment.ModelNames);
        try
        {
            Reproduction.Run(new ReproduceOptions(dataset, Splits.For(dataset, split, seed), ExperimentProfile.Named(profileName),
                Path.Combine(scratch, "results"), Path.Combine(scratch, "models"), Force: false, seed, dataset.IsSynthetic ? null : DataDirectory.Resolve(dataDir), backend), "system-a");
        }
        catch (SftExportBackend.ExportFinished) { }
        finally { if (Directory.Exists(scratch)) Directory.Delete(scratch, recursive: true); }
        Console.WriteLine($"wrote the System A sets of {string.Join(", ", backend.Written)} to {outDir}" + (recipe("primary") is null ? " (no --base-model: no training YAMLs)" : " with their LLaMA-Factory YAMLs"));
        return 0;
    }
}
