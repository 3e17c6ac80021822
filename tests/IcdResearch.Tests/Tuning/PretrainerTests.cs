using IcdResearch.Data;
using IcdResearch.Modeling;
using IcdResearch.Text;
using IcdResearch.Tuning;
using static TorchSharp.torch;

namespace IcdResearch.Tests;

public class PretrainerTests
{
    static readonly Ccl25Dataset Synthetic = Ccl25Dataset.Synthetic();

    static (CharTokenizer Tok, TokenStream Train, TokenStream HeldOut) Streams(PretrainingCorpus corpus)
    {
        var tok = CharTokenizer.Build(corpus.Train.Select(d => d.Text), minFrequency: 1, maxVocab: 300);
        return (tok, TokenStream.Encode(corpus.Train.Select(d => d.Text), tok, tok.PadId),
            TokenStream.Encode(corpus.HeldOut.Select(d => d.Text), tok, tok.PadId));
    }

    static CausalLM TinyModel(CharTokenizer tok) =>
        new(BackbonePreset.Tiny with { HiddenSize = 32, Layers = 1, IntermediateSize = 64 } is var p
            ? p.ModelConfig(tok.VocabSize, tok.EosId, tok.PadId) : null!, seed: 7);

    static readonly PretrainOptions Fast = new()
    {
        Steps = 8, Context = 32, EvalEvery = 4, EvalBatches = 2,
        Train = PretrainOptions.NanoGpt with { BatchSize = 4, LearningRate = 1e-2, WarmupSteps = 2, SaveEverySteps = 4, Seed = 3 },
    };

    [Fact]
    public void CorpusLeavesOutTestAndDevRecordsAndHoldsOutEverySource()
    {
        var split = Splits.Create(Synthetic, seed: 42);
        var excluded = split.Test.Concat(split.Dev).ToHashSet();
        var corpus = PretrainingCorpus.Build(Synthetic, excluded, heldOutFraction: 0.1, seed: 1);
        var all = corpus.Train.Concat(corpus.HeldOut).Select(d => d.Text).ToHashSet();
        foreach (var id in excluded)
        {
            Assert.DoesNotContain(Synthetic.RawById[id].FullText(), all);
            if (Synthetic.EntitiesById.TryGetValue(id, out var e)) Assert.DoesNotContain(e.ToText(), all);
        }
        foreach (var id in split.Train) Assert.Contains(Synthetic.RawById[id].FullText(), all);
        Assert.Equal(Synthetic.TrainRaw.Count - excluded.Count, corpus.Statistics()["ccl25-train-raw"].Documents);
        Assert.All(corpus.Statistics().Where(s => s.Value.Documents >= 2).Select(s => s.Key),
            source => Assert.Contains(corpus.HeldOut, d => d.Source == source));
        Assert.Empty(corpus.Train.Select(d => d.Text).Intersect(corpus.HeldOut.Select(d => d.Text)));
    }

    [Fact]
    public void TokenStreamBatchesArePredictNextWindowsDeterminedBySeedAndStep()
    {
        var stream = new TokenStream(Enumerable.Range(0, 100).ToArray());
        var (x, y) = stream.RandomBatch(3, 10, seed: 5, step: 2);
        Assert.Equal(new long[] { 3, 10 }, x.shape);
        Assert.True((y - x).eq(1).all().item<bool>(), "targets are the inputs shifted by one token");
        var (x2, _) = stream.RandomBatch(3, 10, seed: 5, step: 2);
        var (x3, _) = stream.RandomBatch(3, 10, seed: 5, step: 3);
        Assert.True(x.eq(x2).all().item<bool>());
        Assert.False(x.eq(x3).all().item<bool>());
        var windows = stream.SequentialBatches(4, 10).ToList();
        Assert.Equal(3, windows.Count);                                   // 9 windows of 10 (+1 target) fit in 100 tokens
        Assert.Equal(9, windows.Sum(w => (int)w.Input.shape[0]));
        Assert.Equal(80L, windows[2].Input[0, 0].item<long>());
    }

    [Fact]
    public void TrainingLowersHeldOutLoss()
    {
        TorchRuntime.EnsureLoaded();
        var (tok, train, heldOut) = Streams(PretrainingCorpus.Build(Synthetic, new HashSet<string>(), seed: 1));
        using var model = TinyModel(tok);
        var before = Pretrainer.HeldOutLoss(model, heldOut, 4, 32, 2);
        var dir = Directory.CreateTempSubdirectory("pretrain").FullName;
        try
        {
            var result = Pretrainer.Train(model, train, heldOut, Fast with { Steps = 30, EvalEvery = 30 }, dir, TextWriter.Null);
            Assert.True(result.HeldOutLoss < before - 0.5, $"held-out loss {before:F3} → {result.HeldOutLoss:F3}");
            Assert.InRange(before, Math.Log(tok.VocabSize) - 1, Math.Log(tok.VocabSize) + 1); // an untrained model is near uniform
            Assert.Equal(30, result.Steps);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void AnInterruptedRunResumesToTheSameWeights()
    {
        TorchRuntime.EnsureLoaded();
        var (tok, train, heldOut) = Streams(PretrainingCorpus.Build(Synthetic, new HashSet<string>(), seed: 1));
        var straightDir = Directory.CreateTempSubdirectory("straight").FullName;
        var resumedDir = Directory.CreateTempSubdirectory("resumed").FullName;
        try
        {
            using var straight = TinyModel(tok);
            var a = Pretrainer.Train(straight, train, heldOut, Fast, straightDir, TextWriter.Null);

            using (var interrupted = TinyModel(tok))
            {
                var half = Pretrainer.Train(interrupted, train, heldOut, Fast with { Train = Fast.Train with { MaxSteps = 4 } }, resumedDir, TextWriter.Null);
                Assert.Equal(4, half.Steps);
            }
            using var resumed = TinyModel(tok); // fresh weights: everything must come from the checkpoint
            var b = Pretrainer.Train(resumed, train, heldOut, Fast, resumedDir, TextWriter.Null);
            Assert.Equal(4, b.StartStep);
            Assert.Equal(a.TrainLoss, b.TrainLoss);
            foreach (var ((name, p), (_, q)) in straight.named_parameters().Zip(resumed.named_parameters()))
                Assert.True(p.eq(q).all().item<bool>(), $"{name} differs after resuming");
        }
        finally { Directory.Delete(straightDir, true); Directory.Delete(resumedDir, true); }
    }

    [Fact]
    public void TinyBackboneIsASelfContainedHfFolder()
    {
        TorchRuntime.EnsureLoaded();
        var corpus = PretrainingCorpus.Build(Synthetic, new HashSet<string>(), seed: 1);
        var dir = Directory.CreateTempSubdirectory("backbone").FullName;
        try
        {
            var preset = BackbonePreset.Tiny with { HiddenSize = 32, Layers = 1, IntermediateSize = 64 };
            var report = BackbonePretraining.Run(dir, preset, corpus, Fast, TextWriter.Null);
            Assert.False(Directory.Exists(Path.Combine(dir, "checkpoints")));
            var config = ModelConfig.Load(dir);
            Assert.Equal("qwen2", config.ModelType);
            Assert.True(config.TieWordEmbeddings);
            var tok = Assert.IsType<CharTokenizer>(TokenizerLoader.FromDirectory(dir));
            Assert.True(config.VocabSize >= tok.VocabSize && config.VocabSize % 64 == 0);
            using var model = CausalLM.FromPretrained(dir);
            var ids = tok.Encode("患者主诉");
            using var input = tensor(ids.Select(i => (long)i).ToArray(), new long[] { 1, ids.Count });
            using var logits = model.Forward(input);
            Assert.Equal(new long[] { 1, ids.Count, config.VocabSize }, logits.shape);
            Assert.Equal(report.Result.HeldOutLoss, Pretrainer.HeldOutLoss(model,
                TokenStream.Encode(corpus.HeldOut.Select(d => d.Text), tok, tok.PadId), Fast.Train.BatchSize, Fast.Context, Fast.EvalBatches), 4);
            Assert.True(File.Exists(Path.Combine(dir, BackbonePretraining.ReportFile)));
        }
        finally { Directory.Delete(dir, true); }
    }
}
