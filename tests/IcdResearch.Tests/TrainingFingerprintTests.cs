using IcdResearch.Modeling;
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
    public void SystemABackendReusesAFinishedModelOnlyForTheSameRun()
    {
        TorchRuntime.EnsureLoaded();
        var modelDir = Path.Combine(_dir, "backbone");
        var tokenizer = CharTokenizer.Build(Examples.SelectMany(e => new[] { e.Item1, e.Item2, "user assistant" }), minFrequency: 1);
        new CausalLM(ModelConfig.Tiny("qwen2", vocabSize: tokenizer.VocabSize), seed: 1).SavePretrained(modelDir);
        tokenizer.Save(modelDir);
        var log = new StringWriter();
        var profile = SystemAProfile.Smoke with { Epochs = 1, MaxLength = 64, BatchSize = 3 };
        var backend = new TorchSystemABackend(null, new HashSet<string>(), null, profile, log);
        var output = Path.Combine(_dir, "primary");

        backend.FineTune("primary", modelDir, output, Examples, Examples[..1], force: false);
        Assert.True(TorchSystemABackend.Completed(output));
        var trained = TrainingFingerprint.Read(output);
        Assert.NotNull(trained);

        backend.FineTune("primary", modelDir, output, Examples, Examples[..1], force: false);
        Assert.Contains("reusing fine-tuned primary", log.ToString());

        // Other training data (e.g. another split or prompt): retrained, with the reason said.
        backend.FineTune("primary", modelDir, output, Examples[1..], Examples[..1], force: false);
        Assert.Contains("trained with other settings", log.ToString());
        Assert.NotEqual(trained, TrainingFingerprint.Read(output));
        Assert.True(TorchSystemABackend.Completed(output));

        // Other settings through the profile: retrained too.
        var other = new TorchSystemABackend(null, new HashSet<string>(), null, profile with { LearningRate = 5e-3 }, log);
        var before = TrainingFingerprint.Read(output);
        other.FineTune("primary", modelDir, output, Examples[1..], Examples[..1], force: false);
        Assert.NotEqual(before, TrainingFingerprint.Read(output));

        // Another seed (`icd reproduce --seed`) is another run too, and gets its own default models folder.
        var reseeded = new TorchSystemABackend(null, new HashSet<string>(), null, profile with { LearningRate = 5e-3 }, log, seed: 7);
        before = TrainingFingerprint.Read(output);
        reseeded.FineTune("primary", modelDir, output, Examples[1..], Examples[..1], force: false);
        Assert.NotEqual(before, TrainingFingerprint.Read(output));
        Assert.Equal(Path.Combine("models", "default"), IcdResearch.Pipelines.Reproduction.DefaultModelsDir("default", 42));
        Assert.Equal(Path.Combine("models", "default-seed7"), IcdResearch.Pipelines.Reproduction.DefaultModelsDir("default", 7));
    }
}
