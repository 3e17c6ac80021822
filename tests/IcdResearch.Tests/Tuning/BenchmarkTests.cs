using IcdResearch.Modeling;
using IcdResearch.Text;
using IcdResearch.Tuning;

namespace IcdResearch.Tests;

/// <summary>The benchmark's bookkeeping (no speed assertions: speeds are reported by `icd bench`, not tested).</summary>
public class BenchmarkTests
{
    [Fact]
    public void TrainingFlopsFollowTheStatedFormula()
    {
        TorchRuntime.EnsureLoaded();
        var config = BackbonePreset.Tiny.ModelConfig(tokenizerVocabSize: 100, eosId: 2, padId: 0);
        using var model = new CausalLM(config);
        // Parameters by hand: tied embedding V·d; per layer q,o d·d (+ q bias d), k,v d·(kv·hd) (+ biases), 3·d·ff MLP, 2 norms; final norm.
        long d = config.HiddenSize, kv = config.KeyValueHeads * config.HeadDim, ff = config.IntermediateSize, v = config.VocabSize;
        var perLayer = 2 * d * d + 2 * d * kv + (d + 2 * kv) + 3 * d * ff + 2 * d;
        var n = v * d + config.NumHiddenLayers * perLayer + d;
        Assert.Equal(128, v); // 100 rounded up to a multiple of 64
        Assert.Equal(6.0 * n + 12.0 * config.NumHiddenLayers * d * 64, Benchmark.TrainingFlopsPerToken(model, context: 64));
    }

    [Fact]
    public void TrainingTimingTrainsTheModelAndLeavesItInEvalMode()
    {
        TorchRuntime.EnsureLoaded();
        var tok = CharTokenizer.Build(["患者主诉发热三天"], minFrequency: 1);
        using var model = new CausalLM(BackbonePreset.Tiny.ModelConfig(tok.VocabSize, tok.EosId, tok.PadId), seed: 1);
        var before = model.parameters().Select(p => p.detach().clone()).ToList();
        var t = Benchmark.Training(model, batchSize: 2, context: 16, steps: 1);
        // The timed steps are real optimizer steps (warm-up + 1): every trained tensor moved, and inference mode is restored.
        Assert.All(model.parameters().Zip(before), pair => Assert.False(pair.First.allclose(pair.Second)));
        Assert.False(model.training);
        Assert.True(t.Seconds > 0 && double.IsFinite(t.TokensPerSecond));
    }

    [Fact]
    public void DecodingTimingRefusesTooShortGenerationsAndMeasuresEverySection()
    {
        TorchRuntime.EnsureLoaded();
        var tok = CharTokenizer.Build(["患者主诉发热三天"], minFrequency: 1);
        using var model = new CausalLM(BackbonePreset.Tiny.ModelConfig(tok.VocabSize, tok.EosId, tok.PadId), seed: 1);
        Assert.Throws<ArgumentException>(() => Benchmark.Decoding(model, tok, promptTokens: 8, newTokens: 1));
        var d = Benchmark.Decoding(model, tok, promptTokens: 8, newTokens: 3, rounds: 2, repeats: 1);
        Assert.Equal(model.parameters().Sum(p => p.numel()) * sizeof(float), d.WeightBytes);
        Assert.True(d.CopyBytesPerSecond > 0 && d.PrefillSeconds > 0 && d.SharedPrefixSeconds > 0 && d.SequentialSeconds > 0 && d.SharedPrefixGreedySeconds > 0);
        // The per-token time is timed inside one generation, between its token choices (2 steps here): a positive,
        // finite number of seconds (NaN, as with fewer than two choices, fails the range).
        Assert.InRange(d.DecodeSecondsPerToken, 1e-9, 10);
    }

    [Fact]
    public void DecodeStepsSectionTimesOneRowAndEightRowsWithAndWithoutASharedPromptAndSkipsUnfusedModels()
    {
        TorchRuntime.EnsureLoaded();
        var config = IcdResearch.Modeling.ModelConfig.Tiny("qwen2", vocabSize: 96);
        using var model = new IcdResearch.Modeling.CausalLM(config, 5);
        var section = new IcdResearch.Inference.DecodeStepsBenchmarkSection();
        var json = System.Text.Json.JsonSerializer.SerializeToElement(section.Measure(model));
        // The prompt shrinks to what the tiny context leaves after the timed steps.
        Assert.Equal(Math.Min(512, config.MaxPositionEmbeddings - IcdResearch.Inference.DecodeStepsBenchmarkSection.Steps - 1), json.GetProperty("prompt_tokens").GetInt32());
        foreach (var field in new[] { "one_row_ms", "shared_prompt_ms", "own_prompts_ms" }) Assert.True(json.GetProperty(field).GetDouble() > 0, field);
        using var qwen3 = new IcdResearch.Modeling.CausalLM(IcdResearch.Modeling.ModelConfig.Tiny("qwen3", vocabSize: 96), 5);
        Assert.Null(section.Measure(qwen3));   // per-head q/k norms: no fused decoder to time
    }

    [Fact]
    public void QloraSectionReportsNf4StorageWithinTheTarget()
    {
        TorchRuntime.EnsureLoaded();
        var config = IcdResearch.Modeling.ModelConfig.Tiny("qwen2", vocabSize: 96);
        using var model = new IcdResearch.Modeling.CausalLM(config, 5);
        var section = new IcdResearch.Tuning.QloraBenchmarkSection();
        var json = System.Text.Json.JsonSerializer.SerializeToElement(section.Measure(model));
        var bytesPerParameter = json.GetProperty("bytes_per_parameter").GetDouble();
        var parameters = json.GetProperty("parameters").GetInt64();
        Assert.Equal(model.NamedProjections().Sum(p => ((TorchSharp.Modules.Linear)p.Module).weight!.numel()), parameters);
        Assert.InRange(bytesPerParameter, 0.5, 0.6);   // 4 bits + scales: ≈ 0.516 for full blocks
        Assert.True(json.GetProperty("meets_target_0_6").GetBoolean());
        Assert.InRange(json.GetProperty("relative_error").GetDouble(), 1e-4, 0.2);
    }
}
