using IcdResearch.Modeling;
using static TorchSharp.torch;

namespace IcdResearch.Tests;

/// <summary>
/// Loading keeps a checkpoint's dtype when asked (--dtype auto), streams tensors from memory-mapped files in windows
/// (any window size gives the same weights, sharded or not), and --device names the one switch CUDA needs.
/// </summary>
public sealed class CheckpointLoadingTests : IDisposable
{
    readonly string _dir = Path.Combine(Path.GetTempPath(), "icd-ckpt-" + Guid.NewGuid().ToString("N"));
    public void Dispose() { if (Directory.Exists(_dir)) Directory.Delete(_dir, true); }

    static Tensor Ids() => tensor(new long[] { 5, 9, 17, 3, 40, 41, 7, 8 }, [2, 4]);

    [Fact]
    public void AutoKeepsBf16BitForBitAndFloat32WidensExactly()
    {
        TorchRuntime.EnsureLoaded();
        using var original = new CausalLM(ModelConfig.Tiny("qwen2"), seed: 4);
        original.SavePretrained(_dir, ScalarType.BFloat16);
        using var kept = CausalLM.FromPretrained(_dir, dtype: null);
        using var widened = CausalLM.FromPretrained(_dir);
        Assert.Equal(ScalarType.BFloat16, kept.Dtype);
        Assert.Equal(ScalarType.Float32, widened.Dtype);
        var keptParams = kept.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        foreach (var (name, p) in original.named_parameters())
        {
            using var bf16 = p.detach().to_type(ScalarType.BFloat16);
            Assert.True(bf16.equal(keptParams[name]).all().item<bool>(), name);
        }
        foreach (var (name, p) in widened.named_parameters())
            Assert.True(p.equal(keptParams[name].to_type(ScalarType.Float32)).all().item<bool>(), name);
        using var ids = Ids();
        using var a = kept.Forward(ids).to_type(ScalarType.Float32);
        using var b = widened.Forward(ids);
        Assert.True((a - b).abs().max().item<float>() < 0.05f);   // bf16 arithmetic, same weights
    }

    [Theory]
    [InlineData(6L)]         // windows smaller than one row: every tensor crosses window boundaries
    [InlineData(1000L)]
    [InlineData(64L << 20)]
    public void StreamingIntoTensorsIsWindowIndependentAcrossShards(long window)
    {
        TorchRuntime.EnsureLoaded();
        using var original = new CausalLM(ModelConfig.Tiny("qwen3"), seed: 5);
        original.SavePretrained(_dir, ScalarType.BFloat16, maxShardBytes: 20_000);
        Assert.True(File.Exists(Path.Combine(_dir, SafeTensors.IndexFile)));
        var located = SafeTensorStream.Locate(_dir);
        var targets = original.named_parameters().ToDictionary(p => p.name, p => zeros(p.parameter.shape, ScalarType.Float32));
        SafeTensorStream.CopyInto(located, n => targets.GetValueOrDefault(n), chunkBytes: window);
        foreach (var (name, p) in original.named_parameters())
        {
            using var expected = p.detach().to_type(ScalarType.BFloat16).to_type(ScalarType.Float32);
            Assert.True(expected.equal(targets[name]).all().item<bool>(), name);
        }
    }

    [Fact]
    public void AnInconsistentShardIndexIsRejected()
    {
        TorchRuntime.EnsureLoaded();
        using var original = new CausalLM(ModelConfig.Tiny("qwen2"), seed: 6);
        original.SavePretrained(_dir, maxShardBytes: 20_000);
        var index = Path.Combine(_dir, SafeTensors.IndexFile);
        var json = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(index))!;
        var map = json["weight_map"]!.AsObject();
        var real = map["model.norm.weight"]!.GetValue<string>();
        map["model.norm.weight"] = map.Select(kv => kv.Value!.GetValue<string>()).First(f => f != real);
        File.WriteAllText(index, json.ToJsonString());
        var e = Assert.Throws<InvalidDataException>(() => CausalLM.FromPretrained(_dir));
        Assert.Contains("model.norm.weight", e.Message);
    }

    [Fact]
    public void CudaWithoutTheCudaBuildNamesThePackageSwitch()
    {
        TorchRuntime.EnsureLoaded();
        if (cuda.is_available()) return;   // a CUDA build: nothing to explain
        var e = Assert.Throws<InvalidOperationException>(() => ModelLoadSettings.Parse("auto", "cuda").TorchDevice());
        Assert.Contains("libtorch-cuda", e.Message);
        Assert.Equal(CPU.type, ModelLoadSettings.Parse("bfloat16", "cpu").TorchDevice().type);
    }
}
