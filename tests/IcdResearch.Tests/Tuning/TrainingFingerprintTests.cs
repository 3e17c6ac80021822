using IcdResearch.Modeling;
using IcdResearch.Pipelines;
using IcdResearch.Pipelines.SystemA;
using IcdResearch.Text;
using IcdResearch.Tuning;

namespace IcdResearch.Tests;

[Collection(TorchRngCollection.Name)]
public class TrainingFingerprintTests : IDisposable
{
    readonly string _dir = Path.Combine(Path.GetTempPath(), "icd-fp-" + Guid.NewGuid().ToString("N"));
    public void Dispose() { if (Directory.Exists(_dir)) Directory.Delete(_dir, true); }

    static readonly (string, string)[] Examples = [("主诉：胸痛", "心绞痛"), ("主诉：头晕", "高血压"), ("主诉：心悸", "心房颤动")];

    [Fact]
    public void ChangesWithSettingsExamplesAndBaseModelOnly()
    {
        var options = new SftOptions { Epochs = 3 };
        var a = TrainingFingerprint.Compute(null, options, Examples);
        Assert.Equal(a, TrainingFingerprint.Compute(null, options with { }, Examples.ToList()));   // deterministic
        Assert.Matches("^[0-9a-f]{64}$", a);
        Assert.NotEqual(a, TrainingFingerprint.Compute(null, options with { Epochs = 4 }, Examples));
        Assert.NotEqual(a, TrainingFingerprint.Compute(null, options, Examples.Reverse()));
        Assert.NotEqual(a, TrainingFingerprint.Compute(null, options, [("主诉：胸", "痛心绞痛"), .. Examples[1..]])); // boundaries count

        var model = Path.Combine(_dir, "base");
        Directory.CreateDirectory(model);
        File.WriteAllText(Path.Combine(model, "config.json"), """{"hidden_size": 64}""");
        var withBase = TrainingFingerprint.Compute(model, options, Examples);
        Assert.NotEqual(a, withBase);
        File.WriteAllText(Path.Combine(model, "config.json"), """{"hidden_size": 128}""");
        Assert.NotEqual(withBase, TrainingFingerprint.Compute(model, options, Examples));      // another base model

        Assert.Null(TrainingFingerprint.Read(_dir));
        TrainingFingerprint.Write(_dir, a);
        Assert.Equal(a, TrainingFingerprint.Read(_dir));
    }

    [Fact]
    public void TheFineTunerReusesAFinishedModelOnlyForTheSameRun()
    {
        TorchRuntime.EnsureLoaded();
        var modelDir = Path.Combine(_dir, "backbone");
        var tokenizer = CharTokenizer.Build(Examples.SelectMany(e => new[] { e.Item1, e.Item2, "user assistant" }), minFrequency: 1);
        new CausalLM(ModelConfig.Tiny("qwen2", vocabSize: tokenizer.VocabSize), seed: 1).SavePretrained(modelDir);
        tokenizer.Save(modelDir);
        var log = new StringWriter();
        var smoke = SystemAProfile.Smoke.FineTuneOptions("primary", seed: 42);
        var options = smoke with { Epochs = 1, MaxLength = 64, Train = smoke.Train with { BatchSize = 3 } };
        var backend = new TorchModelBackend(log: log);
        var output = Path.Combine(_dir, "primary");

        backend.FineTune("primary", modelDir, output, Examples, Examples[..1], options, force: false);
        Assert.True(FineTuneRun.Completed(output));
        var trained = TrainingFingerprint.Read(output);
        Assert.NotNull(trained);

        var cost = backend.FineTune("primary", modelDir, output, Examples, Examples[..1], options, force: false);
        Assert.Contains("reusing fine-tuned primary", log.ToString());
        Assert.Equal(3, cost.Examples);   // a reused model reports the cost recorded when it was trained

        // Other training data (e.g. another split or prompt): retrained, with the reason said.
        backend.FineTune("primary", modelDir, output, Examples[1..], Examples[..1], options, force: false);
        Assert.Contains("trained with other settings", log.ToString());
        Assert.NotEqual(trained, TrainingFingerprint.Read(output));
        Assert.True(FineTuneRun.Completed(output));

        // Other settings: retrained too.
        var before = TrainingFingerprint.Read(output);
        backend.FineTune("primary", modelDir, output, Examples[1..], Examples[..1], options with { Train = options.Train with { LearningRate = 5e-3 } }, force: false);
        Assert.NotEqual(before, TrainingFingerprint.Read(output));

        // Another seed (`icd reproduce --seed`) is another run too, and gets its own default models folder.
        before = TrainingFingerprint.Read(output);
        backend.FineTune("primary", modelDir, output, Examples[1..], Examples[..1], options with { Train = options.Train with { LearningRate = 5e-3, Seed = 7 } }, force: false);
        Assert.NotEqual(before, TrainingFingerprint.Read(output));
        Assert.Equal(Path.Combine("models", "default"), ModelLayout.Root("default", 42));
        Assert.Equal(Path.Combine("models", "default-seed7"), ModelLayout.Root("default", 7));
    }
}
