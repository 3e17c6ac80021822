using IcdResearch.Inference;
using IcdResearch.Modeling;
using IcdResearch.Tuning;
using TorchSharp.Modules;
using static TorchSharp.torch;
using Generator = IcdResearch.Inference.Generator;

namespace IcdResearch.Tests;

/// <summary>
/// `--dtype nf4`: a checkpoint is loaded straight to NF4 projections (tensor by tensor from the memory-mapped file), and
/// the result is the model one gets by loading densely and quantising every projection afterwards.
/// </summary>
public sealed class Nf4LoadingTests : IDisposable
{
    static readonly TestCharTokenizer Tok = new();
    readonly string _dir = Path.Combine(Path.GetTempPath(), "icd-nf4-" + Guid.NewGuid().ToString("N"));
    public void Dispose() { if (Directory.Exists(_dir)) Directory.Delete(_dir, true); }

    static Tensor Ids() => tensor(new long[] { 5, 9, 17, 3, 30, 31, 7, 8 }, [2, 4]);   // within the test alphabet's 33 ids

    /// <summary>A tiny checkpoint with a wide init (distinct next-token distributions) saved in <paramref name="dtype"/>.</summary>
    void Save(string type, ScalarType dtype, int seed, long maxShardBytes = long.MaxValue)
    {
        TorchRuntime.EnsureLoaded();
        var config = ModelConfig.Tiny(type, vocabSize: Tok.VocabSize, headDim: type == "qwen3" ? 16 : null);
        config.InitializerRange = 0.3;
        using var original = new CausalLM(config, seed);
        original.SavePretrained(_dir, dtype, maxShardBytes);
    }

    /// <summary>The pre-existing route: the dense model in memory, then each projection quantised (as QLoRA's injector did).</summary>
    CausalLM DenseThenQuantised(ScalarType? dtype)
    {
        var lm = CausalLM.FromPretrained(_dir, dtype);
        foreach (var (name, module) in lm.NamedProjections().ToList())
        {
            lm.ReplaceProjection(name, new Nf4Linear((Linear)module));
            module.Dispose();
        }
        return lm;
    }

    [Theory]
    [InlineData("qwen2", ScalarType.BFloat16, 20_000L)]   // q/k/v biases, bf16 kept, sharded
    [InlineData("qwen3", ScalarType.Float32, long.MaxValue)]
    [InlineData("llama", ScalarType.BFloat16, long.MaxValue)]
    public void StreamedNf4EqualsQuantisingTheLoadedDenseModel(string type, ScalarType stored, long shard)
    {
        Save(type, stored, seed: 3, shard);
        using var streamed = CausalLM.FromPretrained(_dir, dtype: null, nf4Projections: true);
        using var reference = DenseThenQuantised(dtype: null);

        // Every projection is NF4 and no dense projection weight (nor a meta placeholder) is left on the model.
        var projections = streamed.NamedProjections().ToList();
        Assert.Equal(7 * streamed.Config.NumHiddenLayers, projections.Count);
        Assert.All(projections, p => Assert.IsType<Nf4Linear>(p.Module));
        Assert.DoesNotContain(streamed.named_parameters(), p => p.name.EndsWith("_proj.weight"));
        Assert.DoesNotContain(streamed.parameters(), p => p.device_type == TorchSharp.DeviceType.META);
        // Embeddings and norms keep the checkpoint's dtype; biases (Qwen2's q/k/v) are loaded too.
        Assert.Equal(stored, streamed.Dtype);
        Assert.Equal(reference.named_parameters().Select(p => p.name).Order(), streamed.named_parameters().Select(p => p.name).Order());

        // Same NF4 math on the same weights: identical codes and scales, so identical logits.
        var expected = reference.NamedProjections().ToDictionary(p => p.Name, p => ((Nf4Linear)p.Module).QuantizedWeight);
        foreach (var (name, module) in projections)
        {
            var q = ((Nf4Linear)module).QuantizedWeight;
            Assert.True(q.Packed.equal(expected[name].Packed).all().item<bool>(), name);
            Assert.True(q.ScaleCodes.equal(expected[name].ScaleCodes).all().item<bool>(), name);
            Assert.Equal(expected[name].ScaleMean, q.ScaleMean);
        }
        using var ids = Ids();
        using var a = streamed.Forward(ids).to_type(ScalarType.Float32);
        using var b = reference.Forward(ids).to_type(ScalarType.Float32);
        Assert.True((a - b).abs().max().item<float>() <= 1e-5f);

        // NF4 was really applied: each projection is the checkpoint's weight up to NF4's error (≈ 10% on Gaussian weights),
        // and the logits differ from the dense model's.
        using var dense = CausalLM.FromPretrained(_dir, dtype: null);
        var denseWeights = dense.NamedProjections().ToDictionary(p => p.Name, p => ((Linear)p.Module).weight!.to_type(ScalarType.Float32));
        foreach (var (name, module) in projections)
        {
            using var w = ((Nf4Linear)module).DequantizedWeight();
            var relative = ((w - denseWeights[name]).norm() / denseWeights[name].norm()).item<float>();
            Assert.True(relative is > 0.01f and < 0.15f, $"{name}: NF4 relative error {relative}");
        }
        using var d = dense.Forward(ids).to_type(ScalarType.Float32);
        Assert.True((a - d).abs().max().item<float>() > 1e-3f);
    }

    [Fact]
    public void GreedyGenerationFromTheNf4ModelFollowsItsOwnLogits()
    {
        Save("qwen2", ScalarType.BFloat16, seed: 8);
        using var streamed = CausalLM.FromPretrained(_dir, dtype: ScalarType.Float32, nf4Projections: true);
        using var reference = DenseThenQuantised(ScalarType.Float32);
        var prompt = Tok.Encode("the patient");
        var options = GenerationOptions.Greedy(6) with { StopIds = [] };
        var generated = new Generator(streamed, Tok).Generate([prompt], options).Single();
        Assert.Equal(6, generated.Tokens.Count);
        Assert.Equal(new Generator(reference, Tok).Generate([prompt], options).Single().Tokens, generated.Tokens);
        // Each token is the argmax of the NF4 model's own logits (KV-cache decoding through Nf4Linear).
        var prefix = prompt.ToList();
        using var _ = no_grad();
        foreach (var token in generated.Tokens)
        {
            using var logits = streamed.Forward(tensor(prefix.Select(i => (long)i).ToArray(), [1, prefix.Count]));
            Assert.Equal(token, (int)logits[0, -1].argmax().item<long>());
            prefix.Add(token);
        }
    }

    [Fact]
    public void ANonFiniteProjectionWeightIsNamedOnNf4Load()
    {
        TorchRuntime.EnsureLoaded();
        using (var original = new CausalLM(ModelConfig.Tiny("qwen2"), seed: 2))
        {
            using (no_grad())
                original.named_parameters().Single(p => p.name == "model.layers.1.mlp.up_proj.weight").parameter[3, 5] = tensor(float.NaN);
            original.SavePretrained(_dir);
        }
        var e = Assert.Throws<InvalidDataException>(() => CausalLM.FromPretrained(_dir, nf4Projections: true));
        Assert.Contains("model.layers.1.mlp.up_proj.weight", e.Message);
        Assert.Contains("non-finite", e.Message);
    }

    [Fact]
    public void DtypeOptionParsesNf4AndRejectsOtherNames()
    {
        var nf4 = ModelLoadSettings.Parse("nf4", "cpu");
        Assert.True(nf4.Nf4Projections);
        Assert.Null(nf4.Dtype);   // embeddings and norms: the checkpoint's own dtype
        Assert.False(ModelLoadSettings.Parse("bfloat16", "cpu").Nf4Projections);
        var e = Assert.Throws<ArgumentException>(() => ModelLoadSettings.Parse("int4", "cpu"));
        Assert.Equal("--dtype 'int4': expected auto, float32, bfloat16 or nf4", e.Message);
    }

    [Fact]
    public void AnAdapterOverAnNf4BaseRunsBesideItAsQLora()
    {
        TorchRuntime.EnsureLoaded();
        var tokenizer = IcdResearch.Text.CharTokenizer.Build(["abcdefg 高血压病"], minFrequency: 1);
        var baseDir = Path.Combine(_dir, "base");
        using (var saved = new CausalLM(ModelConfig.Tiny("qwen2", vocabSize: tokenizer.VocabSize), seed: 3)) saved.SavePretrained(baseDir, ScalarType.BFloat16);
        tokenizer.Save(baseDir);
        var adapterDir = Path.Combine(_dir, "adapter");
        using (var adapted = CausalLM.FromPretrained(baseDir))
        {
            LoraInjector.Apply(adapted, new LoraConfig { TargetModules = LoraConfig.AllProjections });
            using (no_grad()) foreach (var a in LoraInjector.Adapters(adapted).Values) a.LoraB.normal_(0, 0.05, new TorchSharp.torch.Generator(5));
            PeftAdapter.Save(adapted, adapterDir, baseDir);
        }

        // `icd serve --dtype nf4 --model x=adapter`: the base loads to NF4 (bf16 kept elsewhere), the adapters stay unmerged beside it.
        using var loaded = LanguageModel.Load(adapterDir, settings: ModelLoadSettings.Parse("nf4", "cpu")).Model;
        Assert.Equal(ScalarType.BFloat16, loaded.Dtype);
        var adapters = LoraInjector.Adapters(loaded);
        Assert.Equal(14, adapters.Count);
        Assert.All(adapters.Values, a => Assert.IsType<QLoraLinear>(a));

        // The same as the pre-existing route: the dense bf16 base, with the adapter's bases quantised when it is added.
        using var reference = CausalLM.FromPretrained(baseDir, dtype: null);
        PeftAdapter.Load(reference, adapterDir, quantize: true);
        reference.eval();
        using var ids = Ids();
        using var expected = reference.Forward(ids).to_type(ScalarType.Float32);
        using var actual = loaded.Forward(ids).to_type(ScalarType.Float32);
        Assert.True((expected - actual).abs().max().item<float>() <= 1e-5f);
    }
}
