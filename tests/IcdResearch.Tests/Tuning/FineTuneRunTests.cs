using IcdResearch.Modeling;
using IcdResearch.Text;
using IcdResearch.Tuning;
using static TorchSharp.torch;

namespace IcdResearch.Tests;

[Collection(TorchRngCollection.Name)]
public class FineTuneRunTests : IDisposable
{
    readonly string _dir = Path.Combine(Path.GetTempPath(), "icd-ft-" + Guid.NewGuid().ToString("N"));
    public void Dispose() { if (Directory.Exists(_dir)) Directory.Delete(_dir, true); }

    static readonly (string Prompt, string Answer)[] Facts =
        [("头痛", "偏头痛"), ("胸痛", "心绞痛"), ("咳嗽", "肺炎"), ("腹痛", "胃炎"), ("发热", "感冒"), ("头晕", "高血压")];

    static List<SftExample> Examples(int n, int offset) => Enumerable.Range(offset, n)
        .Select(i => new SftExample($"主诉：{Facts[i % Facts.Length].Prompt}{i % 3}", Facts[i % Facts.Length].Answer)).ToList();

    string SaveTinyModel()
    {
        var modelDir = Path.Combine(_dir, "model");
        var all = Examples(12, 0).Concat(Examples(6, 50)).SelectMany(e => new[] { e.Prompt, e.Answer, "user assistant" });
        var tokenizer = CharTokenizer.Build(all, minFrequency: 1);
        var lm = new CausalLM(ModelConfig.Tiny("qwen2", vocabSize: tokenizer.VocabSize), seed: 1);
        lm.SavePretrained(modelDir);
        tokenizer.Save(modelDir);
        return modelDir;
    }

    static SftOptions Options(FineTuneMode mode) => new()
    {
        Mode = mode, Epochs = 3, MaxLength = 128, Lora = new LoraConfig { Rank = 4, Alpha = 8 },
        Train = new() { BatchSize = 4, LearningRate = mode == FineTuneMode.Full ? 1e-2 : 2e-2, WarmupSteps = 1, Seed = 7 },
    };

    [Fact]
    public void LoraRunLowersHeldOutLossAndItsAdapterReloadsExactly()
    {
        TorchRuntime.EnsureLoaded();
        var modelDir = SaveTinyModel();
        var outDir = Path.Combine(_dir, "lora");
        var report = FineTuneRun.Run(modelDir, Examples(12, 0), Examples(6, 50), outDir, Options(FineTuneMode.Lora),
            test: Examples(6, 80), log: TextWriter.Null);
        Assert.True(report.Training.Completed);
        Assert.True(report.TestLossAfter < report.TestLossBefore, $"test loss {report.TestLossBefore} -> {report.TestLossAfter}");
        Assert.True(report.Parameters.Trainable < report.Parameters.Total / 5);

        // The kept adapter (best dev epoch) is a PEFT folder that reproduces the trained model's held-out loss.
        var reloaded = CausalLM.FromPretrained(modelDir);
        PeftAdapter.Load(reloaded, Path.Combine(outDir, "best"));
        var tokenizer = TokenizerLoader.FromDirectory(modelDir);
        var (test, _) = new SftEncoder(tokenizer, 128).EncodeAll(Examples(6, 80));
        var trainer = new SftTrainer(reloaded, (ids, mask) => reloaded.Forward(ids, mask), Options(FineTuneMode.Lora), Path.Combine(_dir, "eval"));
        Assert.Equal(report.TestLossAfter!.Value, trainer.Evaluate(test, tokenizer.PadId), 5);
    }

    [Fact]
    public void QLoraAndFullModesRunAndSaveTheirOutputs()
    {
        TorchRuntime.EnsureLoaded();
        var modelDir = SaveTinyModel();
        var qlora = FineTuneRun.Run(modelDir, Examples(12, 0), Examples(6, 50), Path.Combine(_dir, "qlora"),
            Options(FineTuneMode.QLora) with { Epochs = 2 }, log: TextWriter.Null);
        Assert.True(qlora.Training.BestDevLoss < qlora.Training.DevLossBefore);
        Assert.True(File.Exists(Path.Combine(_dir, "qlora", "final", "adapter_model.safetensors")));

        var full = FineTuneRun.Run(modelDir, Examples(12, 0), Examples(6, 50), Path.Combine(_dir, "full"),
            Options(FineTuneMode.Full) with { Epochs = 2 }, log: TextWriter.Null);
        Assert.Equal(full.Parameters.Total, full.Parameters.Trainable);
        Assert.True(full.Training.BestDevLoss < full.Training.DevLossBefore);
        var saved = CausalLM.FromPretrained(Path.Combine(_dir, "full", "final"));   // a standard HF folder
        Assert.NotNull(TokenizerLoader.FromDirectory(Path.Combine(_dir, "full", "final")));
        Assert.Equal(full.Parameters.Total, saved.parameters().Sum(p => p.NumberOfElements));
    }
}
