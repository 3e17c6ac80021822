using System.Text;
using IcdResearch.Modeling;
using static TorchSharp.torch;

namespace IcdResearch.Tests;

public class SafeTensorsTests : IDisposable
{
    readonly string _dir = Path.Combine(Path.GetTempPath(), $"icd-st-{Guid.NewGuid():N}");

    public SafeTensorsTests()
    {
        TorchRuntime.EnsureLoaded();
        Directory.CreateDirectory(_dir);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData(ScalarType.Float32, 0.0)]
    [InlineData(ScalarType.BFloat16, 1.0 / 128)]
    [InlineData(ScalarType.Float16, 1.0 / 1024)]
    public void RoundTripsTensorsWithinTheDtypePrecision(ScalarType dtype, double relTol)
    {
        var a = randn(3, 5, generator: new TorchSharp.torch.Generator(1));
        var b = randn(7, generator: new TorchSharp.torch.Generator(2));
        var path = Path.Combine(_dir, "x.safetensors");
        SafeTensors.Save(path, [("b", b), ("a.weight", a)], dtype);
        using var set = SafeTensors.Load(path);
        Assert.Equal(["a.weight", "b"], set.Tensors.Keys.Order());
        Assert.Equal(a.shape, set.Tensors["a.weight"].shape);
        var err = (set.Tensors["a.weight"] - a).abs().max().item<float>();
        var bound = relTol * a.abs().max().item<float>();
        Assert.True(err <= bound + 1e-7, $"error {err} > {bound}");
        // bf16/f16 files match libtorch's own round-to-nearest conversion exactly.
        Assert.True(set.Tensors["b"].allclose(b.to_type(dtype).to_type(ScalarType.Float32), rtol: 0, atol: 0));
        var (entries, dataStart) = SafeTensors.ReadHeader(path);
        Assert.Equal(0, dataStart % 8);
        Assert.Equal(SafeTensors.DtypeName(dtype), entries[0].Dtype);
    }

    [Fact]
    public void ExactSaveKeepsEveryDtypeBitForBitAndLoadKeepsIntegerBuffers()
    {
        var tensors = new List<(string, TorchSharp.torch.Tensor)>
        {
            ("f32", randn(3, 4)), ("f64", randn(2, dtype: ScalarType.Float64)), ("f16", randn(5).to_type(ScalarType.Float16)),
            ("bf16", randn(5).to_type(ScalarType.BFloat16)), ("i64", arange(6, dtype: ScalarType.Int64).reshape(2, 3) - 3),
            ("i32", tensor(new[] { -7, 0, 9 })), ("u8", tensor(new byte[] { 0, 17, 255 })), ("bool", tensor(new[] { true, false, true })),
            ("rng-like", TorchSharp.torch.random.get_rng_state()),
        };
        var path = Path.Combine(_dir, "exact.safetensors");
        SafeTensors.SaveExact(path, tensors);

        using var back = SafeTensors.LoadExact(path);
        foreach (var (name, t) in tensors)
        {
            var loaded = back.Tensors[name];
            Assert.Equal(t.dtype, loaded.dtype);
            Assert.Equal(t.shape, loaded.shape);
            Assert.Equal(t.contiguous().bytes.ToArray(), loaded.bytes.ToArray());   // bit-identical
        }
        // The header is plain safetensors: dtype names as other tools write them.
        var (entries, _) = SafeTensors.ReadHeader(path);
        Assert.Equal(["F32", "F64", "F16", "BF16", "I64", "I32", "U8", "BOOL", "U8"], entries.Select(e => e.Dtype));
        // The float loader widens the float tensors and keeps integer/bool ones as they are.
        using var floats = SafeTensors.Load(path);
        Assert.Equal(ScalarType.Float32, floats.Tensors["bf16"].dtype);
        Assert.Equal(ScalarType.Int64, floats.Tensors["i64"].dtype);
        Assert.Equal(new long[] { -3, -2, -1, 0, 1, 2 }, floats.Tensors["i64"].data<long>().ToArray());
    }

    [Fact]
    public void ModelSavesAndReloadsShardedAndUnsharded()
    {
        var lm = new CausalLM(ModelConfig.Tiny("qwen3", headDim: 16), seed: 3);
        var ids = tensor(new long[] { 1, 2, 3, 4 }, [1, 4]);
        using var _ = no_grad();
        var expected = lm.Forward(ids);
        foreach (var shardBytes in new[] { long.MaxValue, 20_000L })
        {
            var dir = Path.Combine(_dir, $"m{shardBytes}");
            lm.SavePretrained(dir, maxShardBytes: shardBytes);
            Assert.Equal(shardBytes != long.MaxValue, File.Exists(Path.Combine(dir, SafeTensors.IndexFile)));
            if (shardBytes != long.MaxValue) Assert.True(Directory.GetFiles(dir, "model-*-of-*.safetensors").Length > 1);
            var back = CausalLM.FromPretrained(dir);
            Assert.True(expected.allclose(back.Forward(ids), rtol: 0, atol: 1e-6));
        }
    }

    [Fact]
    public void TiedModelsOmitLmHeadAndDifferentSeedsDiffer()
    {
        var tied = new CausalLM(ModelConfig.Tiny(tieWordEmbeddings: true), seed: 1);
        Assert.DoesNotContain(tied.named_parameters(), p => p.name == "lm_head.weight");
        var other = new CausalLM(ModelConfig.Tiny(tieWordEmbeddings: true), seed: 2);
        var w1 = tied.named_parameters().First(p => p.name == "model.embed_tokens.weight").parameter;
        var w2 = other.named_parameters().First(p => p.name == "model.embed_tokens.weight").parameter;
        Assert.False(w1.allclose(w2));
        Assert.InRange(w1.std().item<float>(), 0.015, 0.025);   // HF init: N(0, initializer_range = 0.02)
    }

    [Fact]
    public void MissingExtraAndMisShapedTensorsAreAllListed()
    {
        var config = ModelConfig.Tiny("llama", layers: 1);
        var lm = new CausalLM(config);
        var weights = lm.named_parameters().Select(p => (p.name, (Tensor)p.parameter))
            .Where(p => p.name != "model.norm.weight" && p.name != "model.layers.0.mlp.up_proj.weight")
            .Select(p => p.name == "lm_head.weight" ? (p.name, zeros(5, 5)) : p)
            .Append(("model.layers.0.self_attn.q_proj.bias", zeros(32)))
            .ToList();
        config.Save(Path.Combine(_dir, "config.json"));
        SafeTensors.SaveDirectory(_dir, weights);
        var e = Assert.Throws<InvalidDataException>(() => CausalLM.FromPretrained(_dir));
        Assert.Contains("model.norm.weight", e.Message);
        Assert.Contains("model.layers.0.mlp.up_proj.weight", e.Message);
        Assert.Contains("unexpected 1: model.layers.0.self_attn.q_proj.bias", e.Message);
        Assert.Contains("lm_head.weight [5,5] (expected [96,32])", e.Message);
    }

    [Fact]
    public void CorruptFilesGiveClearErrors()
    {
        var path = Path.Combine(_dir, "bad.safetensors");
        File.WriteAllBytes(path, [1, 2, 3]);
        Assert.Throws<InvalidDataException>(() => SafeTensors.Load(path));

        var json = Encoding.UTF8.GetBytes("{\"w\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]},\"i\":{\"dtype\":\"F8_E4M3\",\"shape\":[1],\"data_offsets\":[0,1]}}");
        File.WriteAllBytes(path, [.. BitConverter.GetBytes((ulong)json.Length), .. json, .. new byte[8]]);
        var e = Assert.Throws<InvalidDataException>(() => SafeTensors.Load(path));
        Assert.Contains("w: data_offsets [0,16] outside the 8-byte data section", e.Message);
        Assert.Contains("i: unsupported dtype F8_E4M3", e.Message);

        Assert.Throws<FileNotFoundException>(() => SafeTensors.LoadDirectory(_dir));
    }
}
