using IcdResearch.Data;
using IcdResearch.Modeling;
using IcdResearch.Pipelines.SystemA;
using IcdResearch.Text;
using IcdResearch.Tuning;

namespace IcdResearch.Tests.Reliability;

/// <summary>
/// Issue 12, class "resume and stored state": a resume with other settings, data or base model is refused with what
/// differs (or starts afresh with --restart); a torn latest checkpoint falls back to the previous intact one, saying so;
/// truncated state.json / optimizer.bin / system-a.json and a corrupt dataset_info.json are located errors, and nothing
/// is written before them.
/// </summary>
[Collection(ConsoleCollection.Name)]
public class ResumeTests : IDisposable
{
    readonly string _dir = TempFile.Dir();
    public void Dispose() { if (Directory.Exists(_dir)) Directory.Delete(_dir, true); }

    /// <summary>A tiny base model and an alpaca training file; returns the finetune arguments (without --out).</summary>
    string[] FinetuneArgs(string trainName = "toy", int offset = 0)
    {
        TorchRuntime.EnsureLoaded();
        var examples = Enumerable.Range(0, 8).Select(i => new SftExample($"症状{(i + offset) % 4}", i % 2 == 0 ? "感冒" : "肺炎")).ToList();
        LlamaFactoryExport.Write(examples, _dir, trainName);
        var model = Path.Combine(_dir, "model");
        if (!Directory.Exists(model))
        {
            var tokenizer = CharTokenizer.Build(examples.SelectMany(e => new[] { e.Prompt, e.Answer }), minFrequency: 1);
            new CausalLM(ModelConfig.Tiny("llama", vocabSize: tokenizer.VocabSize), seed: 2).SavePretrained(model);
            tokenizer.Save(model);
        }
        return ["finetune", "--model", model, "--train", Path.Combine(_dir, trainName + ".json"), "--mode", "lora", "--epochs", "2",
            "--batch-size", "2", "--lr", "1e-2", "--lora-rank", "2", "--lora-target", "q_proj,v_proj", "--max-length", "64", "--save-steps", "1"];
    }

    [Fact]
    public void FinetuneRefusesToResumeWithOtherSettingsOrDataAndRestartsOnRequest()
    {
        var args = FinetuneArgs();
        var output = Path.Combine(_dir, "out");
        Assert.Equal(0, Cli.Run([.. args, "--out", output, "--max-steps", "2"]).Code);
        var checkpoints = FolderState.Of(output);

        Cli.Run([.. args.Select(a => a == "1e-2" ? "5e-3" : a), "--out", output]).Fails(2, Path.Combine(output, "checkpoints"), "LearningRate 0.01 → 0.005", "--restart");
        checkpoints.AssertSame(output);
        var otherData = FinetuneArgs("other", offset: 1);
        Cli.Run([.. otherData, "--out", output]).Fails(2, "the training data");
        checkpoints.AssertSame(output);

        var restarted = Cli.Run([.. args.Select(a => a == "1e-2" ? "5e-3" : a), "--out", output, "--restart"]);
        Assert.True(restarted.Code == 0, restarted.Err);
        Assert.DoesNotContain("resumed from", restarted.Out);
        // The same settings resume as before (--max-steps only says when to stop).
        Assert.Equal(0, Cli.Run([.. args.Select(a => a == "1e-2" ? "5e-3" : a), "--out", output]).Code);
    }

    [Fact]
    public void FinetuneRefusesToResumeOnAnotherBaseModelOfTheSameShape()
    {
        var args = FinetuneArgs();
        var output = Path.Combine(_dir, "out");
        Assert.Equal(0, Cli.Run([.. args, "--out", output, "--max-steps", "2"]).Code);
        var model = Path.Combine(_dir, "model");
        var config = ModelConfig.Load(model);
        new CausalLM(config, seed: 99).SavePretrained(model);   // retrained: same architecture and file sizes, other weights
        Cli.Run([.. args, "--out", output]).Fails(2, "the base model", "--restart");
    }

    [Fact]
    public void ATornLatestCheckpointFallsBackToThePreviousOneSayingSo()
    {
        var args = FinetuneArgs();
        var output = Path.Combine(_dir, "out");
        Assert.Equal(0, Cli.Run([.. args, "--out", output, "--max-steps", "2"]).Code);
        var latest = Path.Combine(output, "checkpoints", "step-000002");
        var optimizer = Path.Combine(latest, "optimizer.bin");
        File.WriteAllBytes(optimizer, File.ReadAllBytes(optimizer)[..40]);   // torn: cut by a crash or a full disk

        var result = Cli.Run([.. args, "--out", output, "--max-steps", "3"]);
        Assert.True(result.Code == 0, result.Err);
        Assert.Contains($"checkpoint {latest} cannot be read", result.Err);
        Assert.Contains(optimizer, result.Err);
        Assert.Contains("resumed from step 1", result.Out);
    }

    [RequiresTmpfsFact]
    public void AFullDiskWhileCheckpointingLeavesNoPartialCheckpoint()
    {
        var args = FinetuneArgs();
        var output = Directory.CreateDirectory(Path.Combine(_dir, "small-disk")).FullName;
        Tmpfs.Mount(output, "8k");   // two pages: the run's fingerprint fits, a checkpoint does not
        try
        {
            Cli.Run([.. args, "--out", output]).Fails(3, "cannot write", output);
            var entries = Directory.GetFileSystemEntries(output, "*", SearchOption.AllDirectories);
            Assert.DoesNotContain(entries, e => Path.GetFileName(e).Contains(".icd-tmp-"));
            foreach (var step in Directory.GetDirectories(Path.Combine(output, "checkpoints"), "step-*"))
                Assert.True(File.Exists(Path.Combine(step, "state.json")) && File.Exists(Path.Combine(step, TrainingCheckpoint.WeightsFile)), $"{step} is partial");
        }
        finally { Tmpfs.Unmount(output); }
    }

    [Fact]
    public void TruncatedStateFilesAreLocatedErrors()
    {
        var args = FinetuneArgs();
        var output = Path.Combine(_dir, "out");
        Assert.Equal(0, Cli.Run([.. args, "--out", output, "--max-steps", "2"]).Code);
        foreach (var step in new[] { "step-000001", "step-000002" })
        {
            var state = Path.Combine(output, "checkpoints", step, "state.json");
            File.WriteAllText(state, File.ReadAllText(state)[..10]);
        }
        var before = FolderState.Of(output);
        Cli.Run([.. args, "--out", output]).Fails(2, Path.Combine(output, "checkpoints", "step-000002", "state.json"), "malformed or truncated", "--restart");
        before.AssertSame(output);

        var models = Directory.CreateDirectory(Path.Combine(_dir, "models")).FullName;
        var systemA = Path.Combine(models, SystemAConfig.FileName);
        File.WriteAllText(systemA, """{"primary_candidates": [{"code": "I20.000", "name": "心绞""");
        var input = Path.Combine(_dir, "records.json");
        File.WriteAllText(input, """[{"病案标识": "A1", "主诉": "胸痛"}]""");
        Cli.Run("predict", "--models", models, "--input", input, "--out", Path.Combine(_dir, "pred.json")).Fails(2, systemA, "truncated");
        Assert.False(File.Exists(Path.Combine(_dir, "pred.json")));
    }

    [Fact]
    public void PretrainRefusesToResumeWithAnotherContext()
    {
        var data = Path.Combine(_dir, "data");
        SyntheticSample.Write(data);
        var output = Path.Combine(_dir, "backbone");
        string[] args = ["pretrain", "--size", "tiny", "--data", data, "--out", output, "--steps", "2", "--keep-checkpoints"];
        var first = Cli.Run(args);
        Assert.True(first.Code == 0, first.Err);
        var before = FolderState.Of(output);
        Cli.Run([.. args, "--context", "32"]).Fails(2, Path.Combine(output, "checkpoints"), "Context 64 → 32");
        Cli.Run([.. args, "--lr", "0.001"]).Fails(2, "LearningRate 0.003 → 0.001");
        before.AssertSame(output);
    }

    [Fact]
    public void ACorruptDatasetInfoFailsExportSftBeforeItWritesAnything()
    {
        var data = Path.Combine(_dir, "data");
        SyntheticSample.Write(data);
        var output = Directory.CreateDirectory(Path.Combine(_dir, "export")).FullName;
        var info = Path.Combine(output, LlamaFactoryExport.DatasetInfoFile);
        File.WriteAllText(info, """{"old": {"file_name": "old.json", """);
        var before = FolderState.Of(output);
        Cli.Run("export-sft", "--data", data, "--out", output).Fails(2, info, "malformed or truncated");
        before.AssertSame(output);
    }
}
