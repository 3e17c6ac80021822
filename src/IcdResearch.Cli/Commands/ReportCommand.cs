using System.CommandLine;
using IcdResearch.Figures;
using IcdResearch.Figures.Report;

namespace IcdResearch.Cli.Commands;

/// <summary>`icd report`: results/*.csv as markdown tables with the papers' values beside ours (the tables of paper-repro.md).</summary>
public sealed class ReportCommand : ICliCommand
{
    public Command Build()
    {
        var results = new Option<string>("--results") { Description = "Folder with the results/*.csv written by `icd reproduce`.", DefaultValueFactory = _ => "results" };
        var file = new Option<string?>("--file") { Description = "Only this results file, e.g. primary.csv (default: every results table in the folder)." };
        var split = new Option<string?>("--split") { Description = "Only rows of this split (test, dev, …)." };
        var metrics = new Option<string?>("--metrics") { Description = "Only these metrics, comma-separated, in this column order (e.g. acc_f1,primary_accuracy)." };
        var arms = new Option<string?>("--arms") { Description = "Only these arms, comma-separated." };
        var command = new Command("report",
            "Print results tables as markdown, with the papers' values beside ours.\n" +
            "One row per arm and split, one column per metric as value [95% CI] (p-value when the row has one), and the " +
            "paper's printed value for the same arm, split and metric on the rate scale — the tables of paper-repro.md.\n" +
            "Example: icd report --results results --file primary.csv --split test --metrics accuracy")
        {
            results, file, split, metrics, arms,
        };
        command.SetAction(parse =>
        {
            var folder = new ResultsFolder(parse.GetValue(results)!);
            if (!Directory.Exists(folder.Directory))
                throw new DirectoryNotFoundException($"results folder {folder.Directory} does not exist; run `icd reproduce --out {parse.GetValue(results)}` first.");
            static string[] List(string? s) => s is null ? [] : s.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (parse.GetValue(file) is { } name)
            {
                if (!folder.Has(name)) throw new FileNotFoundException($"{folder.PathOf(name)} does not exist (files: {string.Join(", ", Directory.GetFiles(folder.Directory, "*.csv").Select(Path.GetFileName))})");
                var table = ResultsReport.Table(folder, name, parse.GetValue(split), List(parse.GetValue(metrics)), List(parse.GetValue(arms)));
                Console.Write(table ?? $"{name}: no rows match the filters\n");
            }
            else Console.Write(ResultsReport.All(folder, parse.GetValue(split)));
            return 0;
        });
        return command;
    }
}
