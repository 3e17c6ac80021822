using System.Text;
using System.Text.Json;

namespace IcdResearch.Tests;

/// <summary>
/// Test-only, deliberately independent of src/: a random HF-layout checkpoint written with its own minimal
/// safetensors writer, and a naive float-loop forward pass written directly from the HF modeling equations
/// (Qwen2/Qwen3/Llama). Used to check <c>CausalLM</c> logits to 1e-4.
/// </summary>
internal sealed class ReferenceCheckpoint
{
    public required string ModelType;
    public int Vocab = 97, Hidden = 32, Layers = 2, Heads = 4, KvHeads = 2, Intermediate = 48;
    public int? HeadDim;
    public double Theta = 10000, Eps = 1e-6;
    public bool Tied, AttentionBias;
    /// <summary>llama3 rope scaling (factor, low, high, original context) or null.</summary>
    public (double Factor, double Low, double High, int Original)? Llama3Scaling;
    public Dictionary<string, float[]> Weights = new();
    public Dictionary<string, long[]> Shapes = new();

    int Hd => HeadDim ?? Hidden / Heads;
    bool QkvBias => ModelType == "qwen2" || AttentionBias;
    bool OBias => ModelType != "qwen2" && AttentionBias;

    /// <summary>Draws every parameter with the given seed; norms around 1 and non-zero biases so that each term matters.</summary>
    public ReferenceCheckpoint Randomize(int seed, bool roundToBf16)
    {
        var rng = new Random(seed);
        void Add(string name, long[] shape, double mean, double std)
        {
            var n = (int)shape.Aggregate(1L, (a, b) => a * b);
            var w = new float[n];
            for (var i = 0; i < n; i++)
            {
                var u1 = 1.0 - rng.NextDouble(); var u2 = rng.NextDouble();
                var value = (float)(mean + std * Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2));
                w[i] = roundToBf16 ? BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(value) & unchecked((int)0xFFFF0000)) : value;
            }
            Weights[name] = w; Shapes[name] = shape;
        }
        Add("model.embed_tokens.weight", [Vocab, Hidden], 0, 1.0);
        for (var l = 0; l < Layers; l++)
        {
            var p = $"model.layers.{l}.";
            Add(p + "self_attn.q_proj.weight", [Heads * Hd, Hidden], 0, 0.2);
            Add(p + "self_attn.k_proj.weight", [KvHeads * Hd, Hidden], 0, 0.2);
            Add(p + "self_attn.v_proj.weight", [KvHeads * Hd, Hidden], 0, 0.2);
            Add(p + "self_attn.o_proj.weight", [Hidden, Heads * Hd], 0, 0.2);
            if (QkvBias)
            {
                Add(p + "self_attn.q_proj.bias", [Heads * Hd], 0, 0.1);
                Add(p + "self_attn.k_proj.bias", [KvHeads * Hd], 0, 0.1);
                Add(p + "self_attn.v_proj.bias", [KvHeads * Hd], 0, 0.1);
            }
            if (OBias) Add(p + "self_attn.o_proj.bias", [Hidden], 0, 0.1);
            if (ModelType == "qwen3")
            {
                Add(p + "self_attn.q_norm.weight", [Hd], 1, 0.2);
                Add(p + "self_attn.k_norm.weight", [Hd], 1, 0.2);
            }
            Add(p + "mlp.gate_proj.weight", [Intermediate, Hidden], 0, 0.2);
            Add(p + "mlp.up_proj.weight", [Intermediate, Hidden], 0, 0.2);
            Add(p + "mlp.down_proj.weight", [Hidden, Intermediate], 0, 0.2);
            Add(p + "input_layernorm.weight", [Hidden], 1, 0.2);
            Add(p + "post_attention_layernorm.weight", [Hidden], 1, 0.2);
        }
        Add("model.norm.weight", [Hidden], 1, 0.2);
        if (!Tied) Add("lm_head.weight", [Vocab, Hidden], 0, 0.2);
        return this;
    }

    public string ConfigJson()
    {
        var config = new Dictionary<string, object?>
        {
            ["architectures"] = new[] { "Whatever" }, ["model_type"] = ModelType, ["vocab_size"] = Vocab, ["hidden_size"] = Hidden,
            ["intermediate_size"] = Intermediate, ["num_hidden_layers"] = Layers, ["num_attention_heads"] = Heads,
            ["num_key_value_heads"] = KvHeads, ["hidden_act"] = "silu", ["rms_norm_eps"] = Eps, ["rope_theta"] = Theta,
            ["tie_word_embeddings"] = Tied, ["max_position_embeddings"] = 128, ["torch_dtype"] = "bfloat16",
            ["bos_token_id"] = 1, ["eos_token_id"] = 2, ["use_cache"] = true, ["transformers_version"] = "4.51.0",
        };
        if (HeadDim is { } hd) config["head_dim"] = hd;
        if (ModelType != "qwen2") config["attention_bias"] = AttentionBias;
        if (ModelType != "llama") { config["use_sliding_window"] = false; config["sliding_window"] = 4096; config["max_window_layers"] = Layers; }
        config["rope_scaling"] = Llama3Scaling is { } s
            ? new Dictionary<string, object> { ["rope_type"] = "llama3", ["factor"] = s.Factor, ["low_freq_factor"] = s.Low, ["high_freq_factor"] = s.High, ["original_max_position_embeddings"] = s.Original }
            : null;
        return JsonSerializer.Serialize(config);
    }

    /// <summary>Writes config.json and the weights (shuffled order; F32 or BF16; optionally split over shards with an index).</summary>
    public void Write(string dir, bool bf16, int shards, int seed)
    {
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "config.json"), ConfigJson());
        var names = Weights.Keys.OrderBy(_ => 0).ToList();
        var rng = new Random(seed);
        names = names.OrderBy(_ => rng.Next()).ToList();
        if (shards == 1) { WriteFile(Path.Combine(dir, "model.safetensors"), names, bf16); return; }
        var map = new Dictionary<string, string>();
        for (var s = 0; s < shards; s++)
        {
            var file = $"model-{s + 1:D5}-of-{shards:D5}.safetensors";
            var part = names.Where((_, i) => i % shards == s).ToList();
            WriteFile(Path.Combine(dir, file), part, bf16);
            foreach (var n in part) map[n] = file;
        }
        File.WriteAllText(Path.Combine(dir, "model.safetensors.index.json"), JsonSerializer.Serialize(new { metadata = new { total_size = 0 }, weight_map = map }));
    }

    void WriteFile(string path, List<string> names, bool bf16)
    {
        var header = new Dictionary<string, object>();
        var data = new MemoryStream();
        foreach (var name in names)
        {
            var start = data.Length;
            foreach (var v in Weights[name])
            {
                var bits = BitConverter.SingleToInt32Bits(v);
                if (bf16) { data.WriteByte((byte)(bits >> 16)); data.WriteByte((byte)(bits >> 24)); }
                else data.Write(BitConverter.GetBytes(v));
            }
            header[name] = new { dtype = bf16 ? "BF16" : "F32", shape = Shapes[name], data_offsets = new[] { start, data.Length } };
        }
        var json = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(header));
        using var file = File.Create(path);
        file.Write(BitConverter.GetBytes((ulong)json.Length));
        file.Write(json);
        data.Position = 0;
        data.CopyTo(file);
    }

    // ---- naive reference forward (double accumulation, HF equations) ----

    double[] Linear(double[] x, string name, int outDim)
    {
        var w = Weights[name + ".weight"]; var inDim = x.Length;
        var b = Weights.GetValueOrDefault(name + ".bias");
        var y = new double[outDim];
        for (var o = 0; o < outDim; o++)
        {
            double s = b is null ? 0 : b[o];
            for (var i = 0; i < inDim; i++) s += w[o * inDim + i] * x[i];
            y[o] = (float)s;   // HF linear outputs are fp32 tensors
        }
        return y;
    }

    double[] RmsNorm(double[] x, int offset, int n, float[] weight)
    {
        double ms = 0;
        for (var i = 0; i < n; i++) ms += x[offset + i] * x[offset + i];
        var scale = 1.0 / Math.Sqrt(ms / n + Eps);
        var y = new double[n];
        for (var i = 0; i < n; i++) y[i] = weight[i] * (float)(x[offset + i] * scale);
        return y;
    }

    double InvFreq(int i)
    {
        var f = 1.0 / Math.Pow(Theta, 2.0 * i / Hd);
        if (Llama3Scaling is not { } s) return f;
        var wavelen = 2 * Math.PI / f;
        var lowWavelen = s.Original / s.Low; var highWavelen = s.Original / s.High;
        if (wavelen > lowWavelen) return f / s.Factor;
        if (wavelen < highWavelen) return f;
        var smooth = (s.Original / wavelen - s.Low) / (s.High - s.Low);
        return (1 - smooth) * f / s.Factor + smooth * f;
    }

    void Rope(double[] v, int offset, int position)
    {
        var half = Hd / 2;
        for (var i = 0; i < half; i++)
        {
            var angle = (float)((float)position * (float)InvFreq(i));
            double c = MathF.Cos(angle), s = MathF.Sin(angle);
            double a = v[offset + i], b = v[offset + i + half];
            v[offset + i] = a * c - b * s;
            v[offset + i + half] = b * c + a * s;
        }
    }

    /// <summary>Logits [T][V] of one unpadded sequence.</summary>
    public double[][] Logits(int[] ids)
    {
        int T = ids.Length, hd = Hd;
        var x = ids.Select(id => Enumerable.Range(0, Hidden).Select(j => (double)Weights["model.embed_tokens.weight"][id * Hidden + j]).ToArray()).ToArray();
        for (var l = 0; l < Layers; l++)
        {
            var p = $"model.layers.{l}.";
            var q = new double[T][]; var k = new double[T][]; var v = new double[T][];
            for (var t = 0; t < T; t++)
            {
                var h = RmsNorm(x[t], 0, Hidden, Weights[p + "input_layernorm.weight"]);
                q[t] = Linear(h, p + "self_attn.q_proj", Heads * hd);
                k[t] = Linear(h, p + "self_attn.k_proj", KvHeads * hd);
                v[t] = Linear(h, p + "self_attn.v_proj", KvHeads * hd);
                if (ModelType == "qwen3")
                {
                    for (var head = 0; head < Heads; head++) RmsNorm(q[t], head * hd, hd, Weights[p + "self_attn.q_norm.weight"]).CopyTo(q[t], head * hd);
                    for (var head = 0; head < KvHeads; head++) RmsNorm(k[t], head * hd, hd, Weights[p + "self_attn.k_norm.weight"]).CopyTo(k[t], head * hd);
                }
                for (var head = 0; head < Heads; head++) Rope(q[t], head * hd, t);
                for (var head = 0; head < KvHeads; head++) Rope(k[t], head * hd, t);
            }
            var group = Heads / KvHeads;
            for (var t = 0; t < T; t++)
            {
                var attn = new double[Heads * hd];
                for (var head = 0; head < Heads; head++)
                {
                    var kvHead = head / group;
                    var scores = new double[t + 1];
                    for (var j = 0; j <= t; j++)
                    {
                        double s = 0;
                        for (var d = 0; d < hd; d++) s += q[t][head * hd + d] * k[j][kvHead * hd + d];
                        scores[j] = s / Math.Sqrt(hd);
                    }
                    var max = scores.Max(); var z = scores.Sum(s => Math.Exp(s - max));
                    for (var j = 0; j <= t; j++)
                    {
                        var w = Math.Exp(scores[j] - max) / z;
                        for (var d = 0; d < hd; d++) attn[head * hd + d] += w * v[j][kvHead * hd + d];
                    }
                }
                var o = Linear(attn, p + "self_attn.o_proj", Hidden);
                for (var j = 0; j < Hidden; j++) x[t][j] += o[j];
                var h2 = RmsNorm(x[t], 0, Hidden, Weights[p + "post_attention_layernorm.weight"]);
                var gate = Linear(h2, p + "mlp.gate_proj", Intermediate);
                var up = Linear(h2, p + "mlp.up_proj", Intermediate);
                var act = gate.Select((g, i) => g / (1 + Math.Exp(-g)) * up[i]).ToArray();
                var down = Linear(act, p + "mlp.down_proj", Hidden);
                for (var j = 0; j < Hidden; j++) x[t][j] += down[j];
            }
        }
        var head_ = Tied ? "model.embed_tokens" : "lm_head";
        return x.Select(row => Linear(RmsNorm(row, 0, Hidden, Weights["model.norm.weight"]), head_, Vocab)).ToArray();
    }
}
