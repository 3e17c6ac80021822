using System.Text.Json;
using IcdResearch.Modeling;
using IcdResearch.Tuning;
using static TorchSharp.torch;

namespace IcdResearch.Tests;

public class PeftAdapterTests : IDisposable
{
    readonly string _dir = Path.Combine(Path.GetTempPath(), "icd-peft-" + Guid.NewGuid().ToString("N"));
    public void Dispose() { if (Directory.Exists(_dir)) Directory.Delete(_dir, true); }

    static Tensor Ids() => tensor(new long[] { 5, 9, 17, 3, 40, 41, 7, 8 }, [2, 4]);

    [Fact]
    public void RoundTripReproducesOutputsExactly()
    {
        TorchRuntime.EnsureLoaded();
        var trained = new CausalLM(ModelConfig.Tiny("qwen2"), seed: 1);
        LoraInjector.Apply(trained, new LoraConfig { Rank = 4, Alpha = 12, Dropout = 0.1, TargetModules = ["q_proj", "v_proj", "down_proj"] });
        var g = new Generator(9);
        using (no_grad()) foreach (var a in LoraInjector.Adapters(trained).Values) a.LoraB.normal_(0, 0.05, g);
        trained.eval();
        PeftAdapter.Save(trained, _dir, "models/tiny");

        var loaded = new CausalLM(ModelConfig.Tiny("qwen2"), seed: 1);   // the same base weights
        var adapters = PeftAdapter.Load(loaded, _dir);
        loaded.eval();
        Assert.Equal(6, adapters.Count);
        Assert.Equal(12.0 / 4, adapters.Values.First().Scaling);
        using var ids = Ids();
        using var expected = trained.Forward(ids);
        using var actual = loaded.Forward(ids);
        Assert.True(expected.equal(actual).all().item<bool>());
    }

    [Fact]
    public void WritesThePeftLayout()
    {
        TorchRuntime.EnsureLoaded();
        var lm = new CausalLM(ModelConfig.Tiny("qwen2", layers: 1), seed: 2);
        LoraInjector.Apply(lm, new LoraConfig());
        PeftAdapter.Save(lm, _dir, "Qwen/Qwen2.5-7B-Instruct");

        using var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(_dir, "adapter_config.json")));
        var root = config.RootElement;
        Assert.Equal("LORA", root.GetProperty("peft_type").GetString());
        Assert.Equal("CAUSAL_LM", root.GetProperty("task_type").GetString());
        Assert.Equal(8, root.GetProperty("r").GetInt32());
        Assert.Equal(16, root.GetProperty("lora_alpha").GetDouble());
        Assert.Equal(0.05, root.GetProperty("lora_dropout").GetDouble());
        Assert.Equal("none", root.GetProperty("bias").GetString());
        Assert.Equal("Qwen/Qwen2.5-7B-Instruct", root.GetProperty("base_model_name_or_path").GetString());
        Assert.Equal(7, root.GetProperty("target_modules").GetArrayLength());

        var (entries, _) = SafeTensors.ReadHeader(Path.Combine(_dir, "adapter_model.safetensors"));
        var q = entries.Single(e => e.Name == "base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight");
        Assert.Equal(new long[] { 8, 32 }, q.Shape);
        var k = entries.Single(e => e.Name == "base_model.model.model.layers.0.self_attn.k_proj.lora_B.weight");
        Assert.Equal(new long[] { 16, 8 }, k.Shape);
        Assert.Equal(14, entries.Count);
    }

    [Fact]
    public void LoadsAnAdapterWrittenByPeft()
    {
        TorchRuntime.EnsureLoaded();
        // What PEFT's save_pretrained writes for target_modules="...q_proj" as a regex, with bf16-free fp32 tensors,
        // extra keys of newer PEFT versions, and rsLoRA scaling.
        Directory.CreateDirectory(_dir);
        File.WriteAllText(Path.Combine(_dir, "adapter_config.json"), """
            {"alpha_pattern": {}, "auto_mapping": null, "base_model_name_or_path": "Qwen/Qwen2.5-0.5B", "bias": "none",
             "fan_in_fan_out": false, "inference_mode": true, "init_lora_weights": true, "layer_replication": null,
             "layers_pattern": null, "layers_to_transform": null, "loftq_config": {}, "lora_alpha": 4, "lora_dropout": 0.0,
             "megatron_config": null, "megatron_core": "megatron.core", "modules_to_save": null, "peft_type": "LORA", "r": 2,
             "rank_pattern": {}, "revision": null, "target_modules": "model\\.layers\\.1\\.self_attn\\.q_proj",
             "task_type": "CAUSAL_LM", "use_dora": false, "use_rslora": true}
            """);
        var a = randn(2, 32);
        var b = randn(32, 2);
        SafeTensors.Save(Path.Combine(_dir, "adapter_model.safetensors"), [
            ("base_model.model.model.layers.1.self_attn.q_proj.lora_A.weight", a),
            ("base_model.model.model.layers.1.self_attn.q_proj.lora_B.weight", b),
        ]);

        var lm = new CausalLM(ModelConfig.Tiny("qwen2"), seed: 3);
        var original = (TorchSharp.Modules.Linear)lm.NamedProjections().Single(p => p.Name == "model.layers.1.self_attn.q_proj").Module;
        using var x = randn(3, 32);
        using var expected = original.forward(x) + x.matmul(a.t()).matmul(b.t()) * (4 / Math.Sqrt(2));

        var adapters = PeftAdapter.Load(lm, _dir);
        Assert.Equal(["model.layers.1.self_attn.q_proj"], adapters.Keys);
        adapters.Values.Single().eval();
        using var actual = adapters.Values.Single().forward(x);
        Assert.True(actual.allclose(expected, rtol: 0, atol: 1e-5));
    }

    [Fact]
    public void RejectsUnsupportedOrMismatchedAdapters()
    {
        TorchRuntime.EnsureLoaded();
        var lm = new CausalLM(ModelConfig.Tiny("qwen2"), seed: 4);
        LoraInjector.Apply(lm, new LoraConfig { Rank = 4 });
        PeftAdapter.Save(lm, _dir);

        var wrongShape = new CausalLM(ModelConfig.Tiny("qwen2", hiddenSize: 48, heads: 4, kvHeads: 2), seed: 4);
        var e = Assert.Throws<InvalidDataException>(() => PeftAdapter.Load(wrongShape, _dir));
        Assert.Contains("shape", e.Message);

        var path = Path.Combine(_dir, "adapter_config.json");
        File.WriteAllText(path, File.ReadAllText(path).Replace("\"use_dora\": false", "\"use_dora\": true"));
        var dora = Assert.Throws<InvalidDataException>(() => PeftAdapter.Load(new CausalLM(ModelConfig.Tiny("qwen2"), seed: 4), _dir));
        Assert.Contains("DoRA", dora.Message);
    }
}
