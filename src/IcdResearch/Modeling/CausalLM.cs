using System.Text.Json;
using IcdResearch.Inference;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace IcdResearch.Modeling;

/// <summary>
/// A Qwen2 / Qwen3 / Llama causal language model with Hugging Face parameter names
/// (<c>model.embed_tokens.weight</c>, <c>model.layers.N.self_attn.q_proj.weight</c>, …, <c>lm_head.weight</c>),
/// loadable from and savable to an HF model folder (config.json + model.safetensors).
/// </summary>
public sealed class CausalLM : nn.Module
{
#pragma warning disable IDE1006 // HF parameter names
    readonly DecoderModel model;
    readonly Linear? lm_head;
#pragma warning restore IDE1006

    public ModelConfig Config { get; }

    FusedDecoder? _fused;

    /// <summary>A randomly initialised model (HF init: N(0, initializer_range) weights, zero biases, unit norms).</summary>
    public CausalLM(ModelConfig config, int seed = 0) : this(config, seed, initialize: true) { }

    CausalLM(ModelConfig config, int seed, bool initialize, WeightPlacement? placement = null) : base(nameof(CausalLM))
    {
        config.Validate();
        Config = config;
        model = new DecoderModel(config, placement);
        if (!config.TieWordEmbeddings) lm_head = nn.Linear(config.HiddenSize, config.VocabSize, hasBias: false, device: placement?.Device, dtype: placement?.Dtype);
        RegisterComponents();
        if (initialize) InitializeWeights(seed);
    }

    /// <summary>The device the weights are on (inputs are created there).</summary>
    public Device Device => model.embed_tokens.weight!.device;

    /// <summary>The dtype of the weights.</summary>
    public ScalarType Dtype => model.embed_tokens.weight!.dtype;

    /// <summary>Logits [B,T,V] for token ids [B,T]; <paramref name="attentionMask"/> is [B, cached+T] (1 token, 0 padding).</summary>
    public Tensor Forward(Tensor inputIds, Tensor? attentionMask = null, KvCache? cache = null)
    {
        using var scope = NewDisposeScope();
        var hidden = model.forward(inputIds, attentionMask, cache);
        return Project(hidden).MoveToOuterDisposeScope();
    }

    /// <summary>Last-layer hidden states after the final norm [B,T,H] (HF <c>last_hidden_state</c>).</summary>
    public Tensor HiddenStates(Tensor inputIds, Tensor? attentionMask = null) => model.forward(inputIds, attentionMask, null);

    /// <summary>Logits for final hidden states (the tied embedding matrix when tie_word_embeddings).</summary>
    public Tensor Project(Tensor hidden) =>
        lm_head is null ? nn.functional.linear(hidden, model.embed_tokens.weight!) : lm_head.call(hidden);

    /// <summary>Bytes of the loaded weights: every parameter in its dtype plus the NF4 storage of quantised projections (what a batch-1 decode step reads).</summary>
    public long WeightBytes => parameters().Sum(p => p.numel() * p.ElementSize) + modules().OfType<Nf4Linear>().Sum(m => m.QuantizedWeight.StorageBytes);

    public KvCache NewCache(int initialCapacity = 256) => new(Config.NumHiddenLayers, initialCapacity);

    /// <summary>
    /// The inference form of the current weights (fused QKV and gate/up matmuls, folded norms), built on first use and
    /// kept until training starts (<see cref="train"/>), weights are loaded or a projection is replaced; null when the
    /// model is not supported by <see cref="FusedDecoder"/> (then decode through <see cref="Forward"/>). Weights changed
    /// in place outside those paths need <see cref="DropFused"/>.
    /// </summary>
    public FusedDecoder? Fused()
    {
        if (!FusedDecoding) return null;
        if (_fused is not null && _fused.Matches(model.embed_tokens.weight!)) return _fused;
        DropFused();
        return _fused = FusedDecoder.TryBuild(Config, model, lm_head);
    }

    /// <summary>Whether generation may use <see cref="Fused"/> (default); false decodes through the modules (`--decoder modules`).</summary>
    public bool FusedDecoding { get; set; } = true;

    /// <summary>Discards the fused inference weights; the next <see cref="Fused"/> rebuilds them from the current weights.</summary>
    public void DropFused()
    {
        _fused?.Dispose();
        _fused = null;
    }

    public override void train(bool on = true)
    {
        if (on) DropFused();
        base.train(on);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) DropFused();
        base.Dispose(disposing);
    }

    /// <summary>Every linear projection with its full HF name, e.g. <c>model.layers.0.self_attn.q_proj</c>.</summary>
    public IEnumerable<(string Name, nn.Module<Tensor, Tensor> Module)> NamedProjections()
    {
        for (var i = 0; i < model.layers.Count; i++)
        {
            foreach (var (name, module) in model.layers[i].self_attn.Projections()) yield return ($"model.layers.{i}.self_attn.{name}", module);
            foreach (var (name, module) in model.layers[i].mlp.Projections()) yield return ($"model.layers.{i}.mlp.{name}", module);
        }
    }

    /// <summary>Replaces the projection <paramref name="name"/> (as listed by <see cref="NamedProjections"/>), field and submodule.</summary>
    public void ReplaceProjection(string name, nn.Module<Tensor, Tensor> replacement)
    {
        var parts = name.Split('.');
        if (parts is not ["model", "layers", var index, var block, var proj] || !int.TryParse(index, out var i) || i < 0 || i >= model.layers.Count)
            throw new ArgumentException($"'{name}' is not a projection name such as model.layers.0.self_attn.q_proj", nameof(name));
        IHasProjections owner = block switch
        {
            "self_attn" => model.layers[i].self_attn,
            "mlp" => model.layers[i].mlp,
            _ => throw new ArgumentException($"'{name}': block must be self_attn or mlp", nameof(name)),
        };
        owner.ReplaceProjection(proj, replacement);
        DropFused();
    }

    void InitializeWeights(int seed)
    {
        using var _ = no_grad();
        var generator = new torch.Generator((ulong)seed);
        var std = Config.InitializerRange;
        foreach (var (name, p) in named_parameters())
        {
            if (name.EndsWith("norm.weight")) p.fill_(1.0);
            else if (name.EndsWith(".bias")) p.zero_();
            else p.normal_(0, std, generator);
        }
    }

    /// <summary>
    /// Loads config.json and model.safetensors (or a sharded index) from an HF model folder. The weights are allocated
    /// once, in <paramref name="dtype"/> (null = "auto": the checkpoint's own torch_dtype, e.g. bfloat16 stays bfloat16)
    /// on <paramref name="device"/>, and filled tensor by tensor from the memory-mapped files
    /// (<see cref="SafeTensorStream"/>), so loading never holds two copies of the model.
    /// With <paramref name="nf4Projections"/> (`--dtype nf4`) every linear projection becomes an <see cref="Nf4Linear"/>
    /// (QLoRA's NF4 with double-quantised scales, Dettmers et al. 2023 §3) built from its streamed tensor: the skeleton's
    /// projections live on torch's meta device (no memory), and each projection's dense weight exists only while it is
    /// quantised, so the dense projections never exist together. Embeddings, norms and biases stay in
    /// <paramref name="dtype"/>. The result equals loading densely in <paramref name="dtype"/> and then quantising each
    /// projection (<see cref="Nf4Linear(TorchSharp.Modules.Linear)"/>). NF4 weights live on the CPU only.
    /// </summary>
    public static CausalLM FromPretrained(string directory, ScalarType? dtype = ScalarType.Float32, Device? device = null, bool nf4Projections = false)
    {
        TorchRuntime.EnsureLoaded();
        if (!Directory.Exists(directory)) throw new DirectoryNotFoundException($"model folder not found: {directory}");
        if (nf4Projections && device is not null && device.type != DeviceType.CPU)
            throw new ArgumentException($"--dtype nf4 keeps its 4-bit weights on the CPU (Nf4Linear dequantises them there); use --device cpu, or --dtype bfloat16 on {device}");
        var config = ModelConfig.Load(Path.Combine(directory, "config.json"));
        var tensors = SafeTensorStream.Locate(directory);
        var target = dtype ?? CheckpointDtype(config, tensors);
        var lm = new CausalLM(config, seed: 0, initialize: false, new WeightPlacement(target, device ?? CPU, nf4Projections ? META : null, Uninitialized: true));
        try
        {
            if (device is not null && device.type != DeviceType.CPU) lm.to(device);
            lm.CheckNames(tensors.ToDictionary(t => t.Entry.Name, t => t.Entry.Shape), directory);
            // Meta placeholders (NF4 projections) are filled below, one projection at a time.
            var parameters = lm.named_parameters().Where(p => p.parameter.device_type != DeviceType.META).ToDictionary(p => p.name, p => (Tensor)p.parameter);
            SafeTensorStream.CopyInto(tensors, name => parameters.GetValueOrDefault(name));
            var nonFinite = parameters.Where(p => !AllFinite(p.Value)).Select(p => p.Key).ToList();
            if (nf4Projections) nonFinite.AddRange(lm.QuantizeProjections(tensors, target));
            if (nonFinite.Count > 0)
                throw new InvalidDataException($"{directory}: weights do not match the {config.ModelType} config: non-finite values (NaN or ±inf) in {nonFinite.Count}: {string.Join(", ", nonFinite)}");
        }
        catch
        {
            lm.Dispose();
            throw;
        }
        lm.eval();
        return lm;
    }

    /// <summary>
    /// Replaces every (meta placeholder) projection by an <see cref="Nf4Linear"/> of its tensors streamed in
    /// <paramref name="dtype"/>, disposing each dense weight as soon as it is quantised; returns the names of non-finite tensors.
    /// </summary>
    List<string> QuantizeProjections(IReadOnlyList<SafeTensorStream.Located> tensors, ScalarType dtype)
    {
        var byName = tensors.ToDictionary(t => t.Entry.Name);
        var nonFinite = new List<string>();
        foreach (var (name, module) in NamedProjections().ToList())
        {
            var placeholder = (Linear)module;
            using (var weight = empty(placeholder.weight!.shape, dtype))
            using (var bias = placeholder.bias is { } b ? empty(b.shape, dtype) : null)
            {
                var parts = new Dictionary<string, Tensor> { [$"{name}.weight"] = weight };
                if (bias is not null) parts[$"{name}.bias"] = bias;
                SafeTensorStream.CopyInto(parts.Keys.Select(k => byName[k]), k => parts[k]);
                nonFinite.AddRange(parts.Where(p => !AllFinite(p.Value)).Select(p => p.Key));
                ReplaceProjection(name, new Nf4Linear(weight, bias));
            }
            placeholder.Dispose();
            NativeHeap.Trim();   // the dense weight and the quantiser's temporaries leave the resident set now
        }
        return nonFinite;
    }

    /// <summary>The HF name and shape of every parameter of a model with this config (built on torch's meta device: no memory).</summary>
    public static IReadOnlyList<(string Name, long[] Shape)> ParameterShapes(ModelConfig config)
    {
        TorchRuntime.EnsureLoaded();
        using var skeleton = new CausalLM(config, seed: 0, initialize: false, new WeightPlacement(Device: META, Uninitialized: true));
        return skeleton.named_parameters().Select(p => (p.name, p.parameter.shape)).ToList();
    }

    /// <summary>"auto": config.json's torch_dtype (or dtype), else the stored dtype of the first floating-point tensor.</summary>
    static ScalarType CheckpointDtype(ModelConfig config, IReadOnlyList<SafeTensorStream.Located> tensors) => (config.TorchDtype ?? config.Dtype) switch
    {
        "bfloat16" => ScalarType.BFloat16,
        "float16" => ScalarType.Float16,
        "float32" => ScalarType.Float32,
        _ => tensors.Select(t => t.Entry.Dtype).FirstOrDefault(d => d is "BF16" or "F16" or "F32") switch { "BF16" => ScalarType.BFloat16, "F16" => ScalarType.Float16, _ => ScalarType.Float32 },
    };

    /// <summary>Whether every element is finite, checked in slices whose temporaries are freed slice by slice (no full-size temporary).</summary>
    static bool AllFinite(Tensor t)
    {
        using var outer = NewDisposeScope();   // also frees the detached handle, which would keep t's storage alive
        var flat = t.detach().view(-1);
        const long slice = 1 << 22;
        for (long start = 0; start < flat.shape[0]; start += slice)
        {
            using var scope = NewDisposeScope();
            if (!isfinite(flat.narrow(0, start, Math.Min(slice, flat.shape[0] - start))).all().item<bool>()) return false;
        }
        return true;
    }

    /// <summary>Throws, listing every problem, when the checkpoint's names or shapes do not fit this model's parameters.</summary>
    void CheckNames(IReadOnlyDictionary<string, long[]> shapes, string source)
    {
        var parameters = named_parameters().ToDictionary(p => p.name, p => p.parameter.shape);
        var problems = new List<string>();
        var missing = parameters.Keys.Where(n => !shapes.ContainsKey(n)).ToList();
        // A tied checkpoint may still carry an lm_head copy (HF tolerates it); anything else unknown is an error.
        var extra = shapes.Keys.Where(n => !parameters.ContainsKey(n) && !(Config.TieWordEmbeddings && n == "lm_head.weight")).ToList();
        var misShaped = parameters.Where(p => shapes.TryGetValue(p.Key, out var s) && !s.SequenceEqual(p.Value))
            .Select(p => $"{p.Key} [{string.Join(",", shapes[p.Key])}] (expected [{string.Join(",", p.Value)}])").ToList();
        if (missing.Count > 0) problems.Add($"missing {missing.Count}: {string.Join(", ", missing)}");
        if (extra.Count > 0) problems.Add($"unexpected {extra.Count}: {string.Join(", ", extra)}");
        if (misShaped.Count > 0) problems.Add($"wrong shape {misShaped.Count}: {string.Join(", ", misShaped)}");
        if (problems.Count > 0) throw new InvalidDataException($"{source}: weights do not match the {Config.ModelType} config: {string.Join("; ", problems)}");
    }

    /// <summary>Copies named tensors into the parameters, after checking names and shapes; all problems are reported together.</summary>
    public void LoadWeights(IReadOnlyDictionary<string, Tensor> tensors, string source = "checkpoint")
    {
        CheckNames(tensors.ToDictionary(t => t.Key, t => t.Value.shape), source);
        var parameters = named_parameters().ToDictionary(p => p.name, p => p.parameter);
        // A NaN or infinite weight makes every output NaN; find it on load, not in the answers.
        var nonFinite = parameters.Keys.Where(n => tensors[n].is_floating_point() && !isfinite(tensors[n]).all().item<bool>()).ToList();
        if (nonFinite.Count > 0)
            throw new InvalidDataException($"{source}: weights do not match the {Config.ModelType} config: non-finite values (NaN or ±inf) in {nonFinite.Count}: {string.Join(", ", nonFinite)}");
        using var _ = no_grad();
        foreach (var (name, p) in parameters) p.copy_(tensors[name]);
        DropFused();
    }

    /// <summary>Writes config.json and model.safetensors (sharded with an index when larger than <paramref name="maxShardBytes"/>).</summary>
    public void SavePretrained(string directory, ScalarType dtype = ScalarType.Float32, long maxShardBytes = long.MaxValue)
    {
        Directory.CreateDirectory(directory);
        Config.Architectures ??= [Config.ModelType switch { "qwen2" => "Qwen2ForCausalLM", "qwen3" => "Qwen3ForCausalLM", _ => "LlamaForCausalLM" }];
        Config.TorchDtype = SafeTensors.TorchDtypeName(dtype);
        Config.Dtype = null;
        // Weights first, config.json last: a folder with config.json is taken for a complete model.
        var weights = named_parameters().Select(p => (p.name, (Tensor)p.parameter)).ToList();
        SafeTensors.SaveDirectory(directory, weights, dtype, maxShardBytes);
        Config.Save(Path.Combine(directory, "config.json"));
    }
}
