using System.CommandLine;
using IcdResearch.Figures;
using IcdResearch.Data;

namespace IcdResearch.Cli.Commands;

/// <summary>`icd figures`: regenerates every chart of paper-repro.md from results/ as self-contained HTML and PNG.</summary>
public sealed class FiguresCommand : ICliCommand
{
    public Command Build()
    {
        var results = new Option<string>("--results")
        {
            Description = "Folder with the results/*.csv and summary.json written by `icd reproduce`.",
            DefaultValueFactory = _ => "results",
        };
        var output = new Option<string>("--out")
        {
            Description = "Where to write NAME.html (plotly.js embedded, works offline) and NAME.png (headless Chromium).",
            DefaultValueFactory = _ => "figures",
        };
        var noPng = new Option<bool>("--no-png") { Description = "Write HTML only (PNG rendering needs the `chromium` binary)." };
        var only = new Option<string[]>("--only")
        {
            Description = $"Only these figures (space separated). Known: {string.Join(", ", FigureCatalog.All.Select(f => f.Name))}.",
            AllowMultipleArgumentsPerToken = true,
        };
        var noData = new Option<bool>("--no-data") { Description = "Skip the dataset overview figures (data-*: code frequencies, field lengths, co-occurrence)." };
        var data = CommonOptions.Data();
        var command = new Command("figures",
            "Regenerate every figure from results/ and the data folder.\n" +
            "Figure 4, threshold sweep, reliability diagram, Figure 5, Table 2, Table 3, the CCL tables, the seed study " +
            "(results/study/) and the scale/data curves (results/ and results/curves/*/), and the dataset overview, as " +
            "self-contained HTML and (with headless Chromium) PNG; a figure whose inputs are missing names the command that makes them.\n" +
            "Example: icd figures --results results --out figures")
        {
            results, output, noPng, only, noData, data,
        };
        CommonOptions.Output(command, output, folder: true);
        command.SetAction(parse =>
        {
            var folder = new ResultsFolder(parse.GetValue(results)!);
            if (!Directory.Exists(folder.Directory))
                throw new DirectoryNotFoundException($"results folder {folder.Directory} does not exist; run `icd reproduce --out {parse.GetValue(results)}` first.");
            var selected = parse.GetValue(only) is { Length: > 0 } names ? names.Select(FigureCatalog.Get).ToList() : null;
            if (!parse.GetValue(noPng) && FigureExport.FindChromium() is null)
                Console.Error.WriteLine("note: chromium not found (apt-get install chromium, or set ICD_CHROMIUM): PNG rendering is skipped, HTML is written.");
            else if (!parse.GetValue(noPng) && FigureExport.MissingCjkFontNote() is { } fontNote)
                Console.Error.WriteLine($"warning: {fontNote}");
            var outcomes = FigureWriter.WriteAll(folder, parse.GetValue(output)!, png: !parse.GetValue(noPng), selected).ToList();
            if (selected is null && !parse.GetValue(noData))
                outcomes.AddRange(FigureWriter.WriteData(Ccl25Dataset.Load(parse.GetValue(data)), parse.GetValue(output)!, png: !parse.GetValue(noPng)));
            foreach (var o in outcomes)
                Console.WriteLine($"{o.Name,-26} {o.HtmlPath ?? ""} {o.PngPath ?? ""}  {(o.Message == "ok" ? "" : o.Message)}".TrimEnd());
            var written = outcomes.Count(o => o.HtmlPath is not null);
            Console.WriteLine($"{written} of {outcomes.Count} figures written to {Path.GetFullPath(parse.GetValue(output)!)}");
            return 0;
        });
        return command;
    }
}
