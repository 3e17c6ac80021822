using IcdResearch.Modeling;
using IcdResearch.Tuning;
using static TorchSharp.torch;

namespace IcdResearch.Tests;

[Collection(TorchRngCollection.Name)]
public class SftTrainerTests : IDisposable
{
    readonly string _dir = Path.Combine(Path.GetTempPath(), "icd-sft-" + Guid.NewGuid().ToString("N"));
    public void Dispose() { if (Directory.Exists(_dir)) Directory.Delete(_dir, true); }

    static readonly string[] Organs = ["心", "肺", "肝", "肾", "胃", "脑"];

    static List<SftExample> Task(int n, int offset) => Enumerable.Range(offset, n)
        .Select(i => new SftExample($"部位:{Organs[i % Organs.Length]} 编号{i}", $"{Organs[i % Organs.Length]}病")).ToList();

    static (List<SftSequence> Train, List<SftSequence> Dev) Data()
    {
        var encoder = new SftEncoder(new TestChatTokenizer(), 64);
        return (encoder.EncodeAll(Task(24, 0)).Sequences, encoder.EncodeAll(Task(8, 100)).Sequences);
    }

    static SftOptions Options => new()
    {
        Mode = FineTuneMode.Full, Epochs = 3, GradientAccumulation = 2, MaxLength = 64,
        Train = new() { BatchSize = 4, LearningRate = 3e-2, WarmupSteps = 1, Seed = 11 },
    };

    [Fact]
    public void FineTuningLowersDevLossAndKeepsTheBestEpoch()
    {
        TorchRuntime.EnsureLoaded();
        var (train, dev) = Data();
        var model = new TinyChatModel(seed: 3);
        var saved = new List<string>();
        var trainer = new SftTrainer(model, model.Logits, Options, _dir, saved.Add, TextWriter.Null);
        var result = trainer.Train(train, dev, padId: 0);

        Assert.True(result.Completed);
        Assert.Equal(3 * 3, result.TotalSteps);   // 24 examples / batch 4 = 6 micro-batches, accumulation 2 = 3 steps per epoch
        Assert.Equal(result.TotalSteps, result.Steps);
        Assert.Equal(3, result.DevLossPerEpoch.Count);
        Assert.True(result.BestDevLoss < result.DevLossBefore * 0.7, $"dev loss {result.DevLossBefore} -> {result.BestDevLoss}");
        Assert.Equal(result.DevLossPerEpoch.Min(), result.BestDevLoss);
        Assert.Equal(Path.Combine(_dir, "final"), saved[^1]);
        Assert.Contains(Path.Combine(_dir, "best"), saved);
        Assert.True(File.Exists(Path.Combine(_dir, "sft-metrics.json")));
        Assert.True(Directory.Exists(Path.Combine(_dir, "checkpoints", "best")));
    }

    [Fact]
    public void LoraTrainingMovesOnlyTheAdapter()
    {
        TorchRuntime.EnsureLoaded();
        var (train, dev) = Data();
        LoraLinear? q = null;
        var model = new TinyChatModel(seed: 4, wrapQ: lin => q = new LoraLinear(lin, new LoraConfig { Rank = 4 }));
        foreach (var (name, p) in model.named_parameters()) p.requires_grad = name.Contains("lora_");
        using var before = model.Q.weight!.detach().clone();
        var trainer = new SftTrainer(model, model.Logits, Options with { Mode = FineTuneMode.Lora, Train = Options.Train with { LearningRate = 1e-2 } }, _dir, null, TextWriter.Null);
        var result = trainer.Train(train, dev, 0);
        Assert.Equal(4 * 32 + 32 * 4, result.TrainableParameters);
        Assert.True(result.BestDevLoss < result.DevLossBefore);
        Assert.True(model.Q.weight!.equal(before).all().item<bool>(), "the frozen base weight must not move");
        Assert.True(q!.LoraB.abs().sum().item<float>() > 0, "B moved away from zero");
    }

    [Fact]
    public void ResumeAfterInterruptionGivesTheIdenticalContinuation()
    {
        TorchRuntime.EnsureLoaded();
        var (train, dev) = Data();
        var reference = new TinyChatModel(seed: 5);
        new SftTrainer(reference, reference.Logits, Options, Path.Combine(_dir, "ref"), null, TextWriter.Null).Train(train, dev, 0);

        var interrupted = new TinyChatModel(seed: 5);
        var first = new SftTrainer(interrupted, interrupted.Logits, Options with { Train = Options.Train with { MaxSteps = 4 } }, Path.Combine(_dir, "run"), null, TextWriter.Null)
            .Train(train, dev, 0);
        Assert.False(first.Completed);
        Assert.Equal(4, first.Steps);

        var resumedModel = new TinyChatModel(seed: 999);      // a new process: weights come from the checkpoint
        var output = new StringWriter();
        var second = new SftTrainer(resumedModel, resumedModel.Logits, Options, Path.Combine(_dir, "run"), null, output).Train(train, dev, 0);
        Assert.Equal(4, second.ResumedFromStep);
        Assert.True(second.Completed);
        Assert.Contains("resumed from step 4", output.ToString());

        var a = reference.parameters().SelectMany(p => p.data<float>().ToArray()).ToArray();
        var b = resumedModel.parameters().SelectMany(p => p.data<float>().ToArray()).ToArray();
        Assert.Equal(a, b);
    }
}
