using System.CommandLine;
using IcdResearch.Data;

namespace IcdResearch.Cli.Commands;

/// <summary>`icd synth --out DIR`: writes the synthetic CCL25 sample in the real data folder layout.</summary>
public sealed class SynthCommand : ICliCommand
{
    public Command Build()
    {
        var outDir = CommonOptions.Out("Folder to write ccl25/{train-raw,train-labels,train-entities,test-a-raw,test-a-entities}.json and codes/dccnce-2.0.tsv into (use it as --data / ICD_DATA_DIR).");
        var seed = CommonOptions.Seed(SyntheticSample.DefaultSeed);
        var force = new Option<bool>("--force") { Description = "Write into a folder that already has files (the sample's files are overwritten)." };
        var command = new Command("synth",
            "Write the project's SYNTHETIC CCL25 sample in the real data layout.\n" +
            "Hand-written templates with SYN ids, not real patients, so every command runs without the dataset. " +
            "An existing non-empty folder is left alone unless --force.\n" +
            "Example: icd synth --out /tmp/synthetic && icd info --data /tmp/synthetic") { outDir, seed, force };
        CommonOptions.Output(command, outDir, folder: true);
        command.SetAction(parse =>
        {
            var dir = Path.GetFullPath(parse.GetValue(outDir)!);
            if (Directory.Exists(dir) && Directory.EnumerateFileSystemEntries(dir).Any() && !parse.GetValue(force))
                throw new ArgumentException($"--out {dir} already exists and is not empty; pass --force to write the sample into it (its files are overwritten).");
            SyntheticSample.Write(dir, parse.GetValue(seed));
            var s = SyntheticSample.Generate(parse.GetValue(seed));
            Console.WriteLine($"wrote the synthetic sample to {dir}: {s.TrainRaw.Count} raw labelled, {s.TrainLabels.Count} labelled in total, {s.TestARaw.Count} unlabelled test-a records, {s.Codes.Count} codes");
            return 0;
        });
        return command;
    }
}
