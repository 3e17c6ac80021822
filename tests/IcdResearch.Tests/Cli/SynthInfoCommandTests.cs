using IcdResearch.Cli;

namespace IcdResearch.Tests;

/// <summary>Runs `icd synth` and `icd info` in-process; the class redirects Console, so it is kept out of parallel runs.</summary>
[Collection(ConsoleCollection.Name)]
public class SynthInfoCommandTests
{
    static (int Code, string Out, string Err) Run(params string[] args)
    {
        var (oldOut, oldErr) = (Console.Out, Console.Error);
        var (stdout, stderr) = (new StringWriter(), new StringWriter());
        Console.SetOut(stdout);
        Console.SetError(stderr);
        try { return (Program.Main(args), stdout.ToString(), stderr.ToString()); }
        finally { Console.SetOut(oldOut); Console.SetError(oldErr); }
    }

    [Fact]
    public void SynthRefusesAFileAndANonEmptyFolderWithoutForce()
    {
        var file = TempFile.Path();
        File.WriteAllText(file, "keep me");
        var (code, _, err) = Run("synth", "--out", file);
        Assert.Equal(2, code);
        Assert.StartsWith($"error: --out {file}: is a file, but a folder is written here", err);
        Assert.Equal("keep me", File.ReadAllText(file));

        var dir = Directory.CreateTempSubdirectory("icd-synth-").FullName;
        Assert.Equal(0, Run("synth", "--out", dir).Code);
        File.WriteAllText(Path.Combine(dir, "ccl25", "train-raw.json"), "[]");
        (code, _, err) = Run("synth", "--out", dir);
        Assert.Equal(2, code);
        Assert.Contains("already exists and is not empty; pass --force", err);
        Assert.Equal("[]", File.ReadAllText(Path.Combine(dir, "ccl25", "train-raw.json")));
        Assert.Equal(0, Run("synth", "--out", dir, "--force").Code);
        Assert.NotEqual("[]", File.ReadAllText(Path.Combine(dir, "ccl25", "train-raw.json")));
        Directory.Delete(dir, recursive: true);
    }

    [Fact]
    public void InfoListsEveryDatasetFileWithItsCountAndTheRuntime()
    {
        var dir = Directory.CreateTempSubdirectory("icd-info-").FullName;
        Assert.Equal(0, Run("synth", "--out", dir).Code);
        var sample = Data.SyntheticSample.Generate(Data.SyntheticSample.DefaultSeed);
        var (code, output, _) = Run("info", "--data", dir, "--models", Path.Combine(dir, "no-models"));
        Assert.Equal(0, code);
        var lines = output.Split('\n').Select(l => l.Trim()).ToList();
        Assert.Contains($"data folder: {dir} (from --data)", lines);
        Assert.Contains(lines, l => l.StartsWith("ccl25/train-raw.json", StringComparison.Ordinal) && l.Contains($" {sample.TrainRaw.Count} records") && l.EndsWith("SYNTHETIC sample"));
        Assert.Contains(lines, l => l.StartsWith("ccl25/test-a-raw.json", StringComparison.Ordinal) && l.Contains($" {sample.TestARaw.Count} records"));
        Assert.Contains(lines, l => l.StartsWith("codes/dccnce-2.0.tsv", StringComparison.Ordinal) && l.Contains($" {sample.Codes.Count} codes"));
        Assert.Contains(lines, l => l.StartsWith("chip-cdn/train.json", StringComparison.Ordinal) && l.EndsWith("missing"));
        Assert.Contains(lines, l => l.StartsWith("model folders under ", StringComparison.Ordinal) && l.EndsWith(": none"));

        // A pretrained backbone in a profile folder: listed with its fingerprint and the data it was trained on.
        var backbone = Path.Combine(dir, "models", "smoke", "backbone");
        Directory.CreateDirectory(backbone);
        Tuning.TrainingFingerprint.Write(backbone, "0123456789abcdef0123");
        File.WriteAllText(Path.Combine(backbone, Tuning.BackbonePretraining.ReportFile), """{"Size": "tiny", "SyntheticData": true}""");
        (code, output, _) = Run("info", "--data", dir, "--models", Path.Combine(dir, "models"));
        Assert.Equal(0, code);
        Assert.Contains(output.Split('\n'), l => l.TrimEnd().EndsWith("fingerprint 0123456789ab; pretrained tiny backbone on the SYNTHETIC sample", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("TorchSharp 0.", StringComparison.Ordinal) && l.Contains(", libtorch 2."));
        Assert.Contains(lines, l => l.StartsWith("GLIBCXX patch: ", StringComparison.Ordinal) && (l.Contains("applied") || l.Contains("not needed")));
        Assert.Contains(lines, l => l.StartsWith("threads: ", StringComparison.Ordinal));
        Directory.Delete(dir, recursive: true);
    }
}
