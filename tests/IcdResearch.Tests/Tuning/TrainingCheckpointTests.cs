using IcdResearch.Modeling;
using IcdResearch.Tuning;
using TorchSharp;
using static TorchSharp.torch;

namespace IcdResearch.Tests;

[Collection(TorchRngCollection.Name)]
public class TrainingCheckpointTests : IDisposable
{
    readonly string _dir = Path.Combine(Path.GetTempPath(), "icd-ckpt-" + Guid.NewGuid().ToString("N"));
    public void Dispose() { if (Directory.Exists(_dir)) Directory.Delete(_dir, true); }

    static nn.Module<Tensor, Tensor> Model(int seed)
    {
        torch.manual_seed(seed);
        // Dropout makes the continuation depend on the RNG state, which the checkpoint must restore too.
        return nn.Sequential(("fc1", nn.Linear(4, 8)), ("drop", nn.Dropout(0.3)), ("fc2", nn.Linear(8, 1)));
    }

    static void TrainSteps(nn.Module<Tensor, Tensor> model, optim.Optimizer opt, int from, int to)
    {
        for (var step = from; step < to; step++)
        {
            using var scope = NewDisposeScope();
            var x = arange(4 * 3, dtype: float32).reshape(3, 4) / 10 + step;
            var loss = model.forward(x).square().mean();
            opt.zero_grad();
            loss.backward();
            opt.step();
        }
    }

    static float[] Flat(nn.Module model) => model.parameters().SelectMany(p => p.data<float>().ToArray()).ToArray();

    [Fact]
    public void ResumeGivesIdenticalContinuation()
    {
        TorchRuntime.EnsureLoaded();
        // Uninterrupted reference: 6 steps.
        var reference = Model(1);
        var refOpt = optim.AdamW(reference.parameters(), lr: 0.01);
        reference.train();
        TrainSteps(reference, refOpt, 0, 3);
        var rngAfter3 = torch.random.get_rng_state();
        TrainSteps(reference, refOpt, 3, 6);

        // Interrupted run: 3 steps, checkpoint, then a fresh process-like model/optimizer resumes.
        var first = Model(1);
        var firstOpt = optim.AdamW(first.parameters(), lr: 0.01);
        first.train();
        TrainSteps(first, firstOpt, 0, 3);
        var ckpt = new TrainingCheckpoint(_dir, trainableOnly: false);
        ckpt.Save(first, firstOpt, new TrainingState { Step = 3, Seed = 1 });

        var resumed = Model(99);              // different init and RNG: everything must come from the checkpoint
        var resumedOpt = optim.AdamW(resumed.parameters(), lr: 0.01);
        resumed.train();
        var state = ckpt.TryResume(resumed, resumedOpt);
        Assert.NotNull(state);
        Assert.Equal(3, state!.Step);
        Assert.Equal(rngAfter3.data<byte>().ToArray(), torch.random.get_rng_state().data<byte>().ToArray());
        TrainSteps(resumed, resumedOpt, 3, 6);

        Assert.Equal(Flat(reference), Flat(resumed));
    }

    [Fact]
    public void KeepsOnlyTheLastCheckpointsAndPointsLatestAtTheNewest()
    {
        TorchRuntime.EnsureLoaded();
        var model = Model(2);
        var opt = optim.AdamW(model.parameters());
        var ckpt = new TrainingCheckpoint(_dir, keepLast: 2);
        for (var s = 1; s <= 4; s++) ckpt.Save(model, opt, new TrainingState { Step = s });
        ckpt.SaveAs("best", model, opt, new TrainingState { Step = 2, BestMetric = 0.5 });

        var names = Directory.GetDirectories(_dir).Select(Path.GetFileName).Order().ToArray();
        Assert.Equal(new[] { "best", "step-000003", "step-000004" }, names);
        Assert.EndsWith("step-000004", ckpt.Latest());
        Assert.Empty(Directory.GetDirectories(_dir, ".*"));   // no temporary folders left behind
    }

    [Fact]
    public void IgnoresAnIncompleteCheckpointAndFallsBackToTheLastCompleteOne()
    {
        TorchRuntime.EnsureLoaded();
        var model = Model(3);
        var ckpt = new TrainingCheckpoint(_dir, keepLast: 5);
        ckpt.Save(model, null, new TrainingState { Step = 1 });
        // Simulate a crash while writing step 2: folder without state.json, `latest` already pointing at it.
        Directory.CreateDirectory(Path.Combine(_dir, "step-000002"));
        File.WriteAllText(Path.Combine(_dir, "latest"), "step-000002");
        Assert.EndsWith("step-000001", ckpt.Latest());
    }

    [Fact]
    public void TrainableOnlySavesJustTheUnfrozenParameters()
    {
        TorchRuntime.EnsureLoaded();
        var model = Model(4);
        foreach (var (name, p) in model.named_parameters()) if (name.StartsWith("fc1")) p.requires_grad = false;
        var ckpt = new TrainingCheckpoint(_dir);
        var dir = ckpt.Save(model, null, new TrainingState { Step = 1 });
        using var saved = SafeTensors.LoadExact(Path.Combine(dir, TrainingCheckpoint.WeightsFile));
        Assert.Equal(new[] { "fc2.bias", "fc2.weight" }, saved.Tensors.Keys.Order().ToArray());
    }

    [Fact]
    public void NoCheckpointMeansNothingToResume()
    {
        TorchRuntime.EnsureLoaded();
        Assert.Null(new TrainingCheckpoint(_dir).TryResume(Model(5), null));
    }
}
