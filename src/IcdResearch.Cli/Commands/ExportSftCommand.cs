using System.CommandLine;
using IcdResearch.Data;
using IcdResearch.Tuning;

namespace IcdResearch.Cli.Commands;

/// <summary>`icd export-sft`: write a project SFT dataset in LLaMA-Factory's alpaca format plus dataset_info.json.</summary>
public sealed class ExportSftCommand : ICliCommand
{
    /// <summary>Datasets this command can build (System A's datasets are exported by its own code through LlamaFactoryExport.Write).</summary>
    static readonly string[] Tasks = ["primary-name"];

    public Command Build()
    {
        var data = CommonOptions.Data();
        var task = new Option<string>("--task")
        {
            Description = "Dataset to build. primary-name: 入院诊断 + 主诉 → name of the primary diagnosis code (one example per raw record).",
            DefaultValueFactory = _ => Tasks[0],
        };
        var split = new Option<string?>("--split") { Description = $"Split file (default {Splits.DefaultPath}); writes NAME-train, NAME-dev and NAME-test." };
        var name = new Option<string?>("--name") { Description = "Dataset name prefix in dataset_info.json (default ccl25-TASK)." };
        var output = CommonOptions.Out("Folder for NAME-{train,dev,test}.json and dataset_info.json (LLaMA-Factory's data/ folder layout; existing entries are kept).");
        var command = new Command("export-sft",
            "Write an SFT dataset in LLaMA-Factory alpaca format (instruction/input/output) with a dataset_info.json entry, so the " +
            "same experiment can be rerun with llamafactory-cli on GPUs and its PEFT adapter evaluated here.") { data, task, split, name, output };
        CommonOptions.Output(command, output, folder: true);
        command.SetAction(parse =>
        {
            var t = parse.GetValue(task)!;
            if (!Tasks.Contains(t)) throw new ArgumentException($"unknown --task '{t}' (available: {string.Join(", ", Tasks)})");
            LlamaFactoryExport.ReadDatasetInfo(parse.GetValue(output)!);   // a corrupt dataset_info.json fails here, before anything is written
            var dataset = Ccl25Dataset.Load(parse.GetValue(data));
            var parts = Splits.For(dataset, parse.GetValue(split));
            var prefix = parse.GetValue(name) ?? $"ccl25-{t}";
            foreach (var part in new[] { "train", "dev", "test" })
            {
                var examples = PrimaryDiagnosisSft.For(dataset, parts.Part(part));
                var path = LlamaFactoryExport.Write(examples, parse.GetValue(output)!, $"{prefix}-{part}");
                Console.WriteLine($"wrote {path}: {examples.Count} examples");
            }
            return 0;
        });
        return command;
    }
}
