using IcdResearch.Inference;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static IcdResearch.Modeling.TensorMemory;

namespace IcdResearch.Modeling;

/// <summary>
/// The inference form of a <see cref="CausalLM"/>, built from its current weights (<see cref="CausalLM.Fused"/>): per
/// layer one matrix for q, k, v and the half-swapped q and k rows that rotary embedding needs (so RoPE is one mul and
/// one addcmul, no concatenations), one gate/up matrix, each RMSNorm weight folded into the matmul after it, and cos/sin
/// tables per position. The projections are stored as <see cref="PanelMatrix"/> panels: a decode step's few rows
/// multiply them on the decode threads at the memory bandwidth (the residual is the start value of the o and down
/// products), and the prefill's many rows use libtorch's GEMM on the unpacked matrices. A decode step runs on raw
/// memory instead of ~40 TorchSharp calls per layer: per-step row buffers kept in the cache, RMSNorm/RoPE/SwiGLU with TensorPrimitives, the new keys and values
/// copied into the cache; while each row continues its own prompt its attention is one pass over [prompt; generated]
/// (<see cref="DecodeAttention"/>), and rows that continue the same prompt read its keys and values once
/// (<see cref="SharedPrefixCache"/>, <see cref="SharedPrefixAttention"/>). Checkpoints and training keep the HF modules; this only reads them. Logits equal the
/// module path's up to float rounding (tested to 1e-5). Supports fp32 Qwen2/Llama layouts with plain
/// <see cref="Linear"/> projections; other models (Qwen3 q/k norms, LoRA or NF4 projections, other dtypes) decode
/// through <see cref="CausalLM.Forward"/>.
/// </summary>
public sealed class FusedDecoder : IDisposable
{
    sealed record Layer(PanelMatrix Qkv, Tensor? QkvBias, PanelMatrix Out, Tensor? OutBias, PanelMatrix GateUp, Tensor? GateUpBias, PanelMatrix Down, Tensor? DownBias) : IDisposable
    {
        public void Dispose()
        {
            foreach (var m in new[] { Qkv, Out, GateUp, Down }) m.Dispose();
            foreach (var t in new[] { QkvBias, OutBias, GateUpBias, DownBias }) t?.Dispose();
        }
    }

    static readonly Scalar One = 1.0;
    readonly Layer[] _layers;
    readonly Tensor _embed;
    readonly PanelMatrix _head;
    readonly RotaryEmbedding _rotary;
    readonly int _heads, _kvHeads, _headDim, _intermediate, _hidden, _maxPositions;
    readonly double _eps;
    Tensor? _cos, _sin;   // [positions, (heads + kv_heads)·head_dim]: RoPE cos and signed sin tiled over the q and k heads

    /// <summary>Whether this was built for weights of <paramref name="embedding"/>'s dtype and device (a moved or re-typed model needs a rebuild).</summary>
    internal bool Matches(Tensor embedding) => embedding.dtype == _embed.dtype && embedding.device_type == _embed.device_type && embedding.device_index == _embed.device_index;

    FusedDecoder(ModelConfig config, DecoderModel model, Linear? lmHead, Layer[] layers)
    {
        (_heads, _kvHeads, _headDim) = (config.NumAttentionHeads, config.KeyValueHeads, config.HeadDim);
        (_intermediate, _hidden, _eps, _maxPositions) = (config.IntermediateSize, config.HiddenSize, config.RmsNormEps, config.MaxPositionEmbeddings);
        _layers = layers;
        using var _ = no_grad();
        var embedding = model.embed_tokens.weight!;
        _embed = Keep(embedding);
        using var scope = NewDisposeScope();
        _head = new PanelMatrix(((lmHead?.weight ?? embedding) * model.norm.Weight).t());
        _rotary = model.rotary_emb;
    }

    /// <summary>The fused form of the model's current weights, or null when this model is not supported (see the class summary).</summary>
    internal static FusedDecoder? TryBuild(ModelConfig config, DecoderModel model, Linear? lmHead)
    {
        if (config.HasQkNorm || model.embed_tokens.weight!.dtype != ScalarType.Float32) return null;
        var linears = new List<(Linear Q, Linear K, Linear V, Linear O, Linear Gate, Linear Up, Linear Down)>();
        foreach (var layer in model.layers)
        {
            var attention = layer.self_attn.Projections().ToDictionary(p => p.Name, p => p.Module as Linear);
            var mlp = layer.mlp.Projections().ToDictionary(p => p.Name, p => p.Module as Linear);
            if (attention.Values.Concat(mlp.Values).Any(l => l is null)) return null;   // LoRA / NF4 wrappers
            linears.Add((attention["q_proj"]!, attention["k_proj"]!, attention["v_proj"]!, attention["o_proj"]!, mlp["gate_proj"]!, mlp["up_proj"]!, mlp["down_proj"]!));
        }
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        var layers = new Layer[linears.Count];
        for (var i = 0; i < layers.Length; i++)
        {
            var (q, k, v, o, gate, up, down) = linears[i];
            var (inputNorm, postNorm) = (model.layers[i].input_layernorm.Weight, model.layers[i].post_attention_layernorm.Weight);
            var heads = config.NumAttentionHeads;
            var kv = config.KeyValueHeads;
            // Rows: q, k, v, then q and k with each head's halves swapped (RotaryEmbedding.Apply's x₂,x₁ input).
            var qkv = cat([q.weight!, k.weight!, v.weight!, SwapHalves(q.weight!, heads), SwapHalves(k.weight!, kv)], 0) * inputNorm;
            var qkvBias = q.bias is null ? null : cat([q.bias, k.bias!, v.bias!, SwapHalves(q.bias, heads), SwapHalves(k.bias!, kv)], 0);
            layers[i] = new Layer(
                new PanelMatrix(qkv.t()), Keep(qkvBias), new PanelMatrix(o.weight!.t()), Keep(o.bias),
                new PanelMatrix((cat([gate.weight!, up.weight!], 0) * postNorm).t()), Keep(gate.bias is null ? null : cat([gate.bias, up.bias!], 0)),
                new PanelMatrix(down.weight!.t()), Keep(down.bias));
        }
        return new FusedDecoder(config, model, lmHead, layers);
    }

    /// <summary>An empty cache for this model's layers; its generated-token buffers start at <paramref name="capacity"/> positions and grow.</summary>
    public SharedPrefixCache NewCache(int capacity) => new(_layers.Length, capacity);

    /// <summary>A gradient-free handle on <paramref name="t"/> that outlives the build's dispose scope (shares storage).</summary>
    [return: System.Diagnostics.CodeAnalysis.NotNullIfNotNull(nameof(t))]
    static Tensor? Keep(Tensor? t) => t?.detach().DetachFromDisposeScope();

    /// <summary>Rows of a per-head projection (weight [heads·d, H] or bias [heads·d]) with the two halves of every head swapped.</summary>
    static Tensor SwapHalves(Tensor x, int heads)
    {
        var d = x.shape[0] / heads;
        var shape = new[] { heads, 2L, d / 2 }.Concat(x.shape.Skip(1)).ToArray();
        return x.view(shape).flip(1).reshape(x.shape);
    }

    /// <summary>
    /// Runs the prompts ids [B,T] (left-padded where <paramref name="keep"/> [B,T] has 0s; null when no row is padded)
    /// into the empty <paramref name="cache"/> (one stored prefix per prompt) and returns the next-token logits [B,V] of
    /// the last column. Positions count real tokens only, as HF generate() does with left padding.
    /// </summary>
    public Tensor Prefill(Tensor ids, Tensor? keep, SharedPrefixCache cache)
    {
        if (cache.Groups is not null) throw new InvalidOperationException("Prefill needs an empty cache");
        using var scope = NewDisposeScope();
        var (b, t) = (ids.shape[0], ids.shape[1]);
        Tensor positions, next;
        Tensor? mask = null, prefixMask = null;
        if (keep is null)
        {
            positions = arange(t, dtype: ScalarType.Int64, device: ids.device).unsqueeze(0).expand(b, t);
            next = full([b], t, dtype: ScalarType.Int64, device: ids.device);
        }
        else
        {
            var counts = keep.to_type(ScalarType.Int64).cumsum(1);
            positions = (counts - 1).clamp_min(0);
            next = counts.select(1, t - 1).contiguous();
            mask = DecoderModel.CausalMask(keep.to_type(ScalarType.Bool), 0, t, _embed.dtype);
            prefixMask = mask.narrow(2, t - 1, 1);   // the last query row sees exactly the real tokens
        }
        cache.Positions = next.DetachFromDisposeScope();
        EnsurePositions((int)t + 1);
        var width = (_heads + _kvHeads) * _headDim;
        var flat = positions.reshape(-1);
        var (cos, sin) = (_cos!.index_select(0, flat).view(b, t, width), _sin!.index_select(0, flat).view(b, t, width));
        var x = _embed.index_select(0, ids.reshape(-1)).view(b, t, _hidden);
        var (qd, kvd, groups) = (_heads * _headDim, _kvHeads * _headDim, _heads / _kvHeads);
        for (var l = 0; l < _layers.Length; l++)
        {
            var layer = _layers[l];
            var y = Linear(Norm(x), layer.Qkv, layer.QkvBias);
            var qk = y.narrow(2, 0, width).mul(cos).addcmul_(y.narrow(2, width + kvd, width), sin, One);
            var q = qk.narrow(2, 0, qd).view(b, t, _heads, _headDim).transpose(1, 2);
            var k = qk.narrow(2, qd, kvd).view(b, t, _kvHeads, _headDim).transpose(1, 2);
            var v = y.narrow(2, width, kvd).view(b, t, _kvHeads, _headDim).transpose(1, 2);
            cache.StorePrefix(l, k, v, prefixMask);
            if (groups > 1) (k, v) = (Attention.RepeatKv(k, groups), Attention.RepeatKv(v, groups));
            var attended = nn.functional.scaled_dot_product_attention(q, k, v, mask, is_casual: mask is null && t > 1);
            x = x + Linear(attended.transpose(1, 2).reshape(b * t, qd), layer.Out, layer.OutBias).view(b, t, _hidden);
            var gu = Linear(Norm(x), layer.GateUp, layer.GateUpBias);
            x = x + Linear(nn.functional.silu(gu.narrow(2, 0, _intermediate)).mul_(gu.narrow(2, _intermediate, _intermediate)).reshape(b * t, _intermediate), layer.Down, layer.DownBias).view(b, t, _hidden);
        }
        return _head.Multiply(Norm(x.select(1, t - 1))).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// One decoding step: token ids [B] (int64, one per row of <paramref name="cache"/>) appended to it; returns next-token
    /// logits [B,V]. Runs on the raw memory of per-step buffers kept in the cache (no tensor ops but the logits'
    /// allocation): RMSNorm, RoPE, the SwiGLU product and the cache append on the calling thread, the projections
    /// (<see cref="PanelMatrix.MultiplyInto"/>) and the attention of rows with their own prompts (<see cref="DecodeAttention"/>)
    /// on the decode threads. Rows continuing the same prompt read its stored keys and values once (<see cref="SharedPrefixAttention"/>).
    /// </summary>
    public unsafe Tensor Step(Tensor ids, SharedPrefixCache cache)
    {
        var positions = cache.Positions ?? throw new InvalidOperationException("Step needs a cache filled by Prefill");
        if (ids.dtype != ScalarType.Int64 || ids.dim() != 1 || ids.shape[0] != positions.shape[0] || ids.device_type != DeviceType.CPU)
            throw new ArgumentException($"Step takes one int64 CPU token id per cached row ({positions.shape[0]}), got [{string.Join(",", ids.shape)}] {ids.dtype}");
        var b = (int)ids.shape[0];
        var seen = cache.PrefixLength + cache.Length + 1;
        EnsurePositions(seen);   // bounds every row's position
        if (cache.Scratch is not StepBuffers buffers || buffers.Rows != b)
        {
            cache.Scratch?.Dispose();
            cache.Scratch = buffers = new StepBuffers(b, _hidden, 2 * (_heads + _kvHeads) * _headDim + _kvHeads * _headDim, (_heads + _kvHeads) * _headDim, _heads * _headDim, _intermediate);
        }
        var (width, qd, kvd, groups) = ((_heads + _kvHeads) * _headDim, _heads * _headDim, _kvHeads * _headDim, _heads / _kvHeads);
        var qkvWidth = 2 * width + kvd;   // rows of Qkv: q, k, v, then q and k with halves swapped
        long* id = Longs(ids), position = Longs(positions);
        float* x = buffers.X, normed = buffers.Normed, y = buffers.Y, qk = buffers.Qk, attended = buffers.Attended, gateUp = buffers.GateUp, act = buffers.Act;
        var embed = Floats(_embed);
        var vocabulary = _embed.shape[0];
        for (var r = 0; r < b; r++)
        {
            if ((ulong)id[r] >= (ulong)vocabulary) throw new ArgumentException($"token id {id[r]} is outside the model vocabulary [0, {vocabulary})");
            Buffer.MemoryCopy(embed + id[r] * _hidden, x + (long)r * _hidden, _hidden * sizeof(float), _hidden * sizeof(float));
        }
        float* cos = Floats(_cos!), sin = Floats(_sin!);
        var mask = cache.Contiguous ? cache.ContiguousMask(seen) : null;
        var maskData = Floats(mask);
        var maskStride = mask is null ? 0 : (int)mask.shape[3];
        for (var l = 0; l < _layers.Length; l++)
        {
            var layer = _layers[l];
            Norm(x, normed, b, _hidden);
            layer.Qkv.MultiplyInto(normed, b, Floats(layer.QkvBias), 0, y);
            for (var r = 0; r < b; r++)   // RoPE (Su et al. 2021): x·cos + swap(x)·sin, sin signed per half
            {
                float* row = y + (long)r * qkvWidth, rotated = qk + (long)r * width;
                var at = position[r] * width;
                var into = new Span<float>(rotated, width);
                TensorPrimitives.Multiply(new ReadOnlySpan<float>(row, width), new ReadOnlySpan<float>(cos + at, width), into);
                TensorPrimitives.MultiplyAdd(new ReadOnlySpan<float>(row + width + kvd, width), new ReadOnlySpan<float>(sin + at, width), into, into);
            }
            cache.AppendStep(l, b, _kvHeads, _headDim, qk + qd, width, y + width, qkvWidth);
            if (cache.Contiguous)   // each row its own prompt, generated keys right after it: one pass over [prompt; generated]
            {
                var (keys, values) = cache.ContiguousBuffers(l);
                DecodeAttention.Run(qk, width, Floats(keys), Floats(values), (int)keys.shape[2], (int)seen, maskData, maskStride, attended, b, _kvHeads, groups, _headDim);
            }
            else SharedPrefixAttention.Step(qk, width, cache, l, attended, _kvHeads, groups, _headDim);
            layer.Out.MultiplyInto(attended, b, x, _hidden, x);   // the residual is the product's start value
            AddBias(x, layer.OutBias, b, _hidden);
            Norm(x, normed, b, _hidden);
            layer.GateUp.MultiplyInto(normed, b, Floats(layer.GateUpBias), 0, gateUp);
            for (var r = 0; r < b; r++)   // SwiGLU (Shazeer 2020): silu(gate) · up
            {
                var gate = new ReadOnlySpan<float>(gateUp + (long)r * 2 * _intermediate, _intermediate);
                var up = new ReadOnlySpan<float>(gateUp + ((long)r * 2 + 1) * _intermediate, _intermediate);
                var into = new Span<float>(act + (long)r * _intermediate, _intermediate);
                TensorPrimitives.Sigmoid(gate, into);
                TensorPrimitives.Multiply(into, gate, into);
                TensorPrimitives.Multiply(into, up, into);
            }
            layer.Down.MultiplyInto(act, b, x, _hidden, x);
            AddBias(x, layer.DownBias, b, _hidden);
        }
        Norm(x, normed, b, _hidden);
        var logits = empty(b, _head.Outputs, ScalarType.Float32);
        _head.MultiplyInto(normed, b, null, 0, Floats(logits));
        for (var r = 0; r < b; r++) position[r]++;
        return logits;
    }

    /// <summary>RMSNorm of each row without its weight (folded into the next matmul): x·(mean(x²) + ε)^−½.</summary>
    unsafe void Norm(float* x, float* into, int rows, int width)
    {
        for (var r = 0; r < rows; r++)
        {
            var row = x + (long)r * width;   // Σx² in a fixed lane order, whatever the row's address
            var scale = 1f / MathF.Sqrt(DecodeAttention.Dot(row, row, width) / width + (float)_eps);
            TensorPrimitives.Multiply(new ReadOnlySpan<float>(row, width), scale, new Span<float>(into + (long)r * width, width));
        }
    }

    static unsafe void AddBias(float* x, Tensor? bias, int rows, int width)
    {
        if (bias is null) return;
        var add = new ReadOnlySpan<float>(Floats(bias), width);
        for (var r = 0; r < rows; r++) TensorPrimitives.Add(new ReadOnlySpan<float>(x + (long)r * width, width), add, new Span<float>(x + (long)r * width, width));
    }

    /// <summary>A step's working rows for one batch size (fp32 tensors, read and written through their pointers).</summary>
    sealed unsafe class StepBuffers : IDisposable
    {
        readonly Tensor[] _all;
        public int Rows { get; }
        public float* X { get; }
        public float* Normed { get; }
        public float* Y { get; }
        public float* Qk { get; }
        public float* Attended { get; }
        public float* GateUp { get; }
        public float* Act { get; }

        public StepBuffers(int rows, int hidden, int qkvWidth, int rotatedWidth, int queryWidth, int intermediate)
        {
            Rows = rows;
            Tensor Rows2(int width) => empty(rows, width, ScalarType.Float32).DetachFromDisposeScope();
            var (x, normed, y, qk, attended, gateUp, act) = (Rows2(hidden), Rows2(hidden), Rows2(qkvWidth), Rows2(rotatedWidth), Rows2(queryWidth), Rows2(2 * intermediate), Rows2(intermediate));
            _all = [x, normed, y, qk, attended, gateUp, act];
            X = Floats(x); Normed = Floats(normed); Y = Floats(y); Qk = Floats(qk); Attended = Floats(attended); GateUp = Floats(gateUp); Act = Floats(act);
        }

        public void Dispose()
        {
            foreach (var t in _all) t.Dispose();
        }
    }

    /// <summary>RMSNorm without its weight (folded into the next matmul): x·rsqrt(mean(x²) + ε), in fp32 like HF.</summary>
    Tensor Norm(Tensor x) => x * x.square().mean([-1], keepdim: true).add_(_eps).rsqrt_();

    /// <summary>a·Wᵀ (+ bias) over many rows (the prefill): libtorch's GEMM on the unpacked weight.</summary>
    static Tensor Linear(Tensor a, PanelMatrix weight, Tensor? bias)
    {
        var y = a.matmul(weight.Unpacked());
        return bias is null ? y : y.add_(bias);
    }

    /// <summary>Grows the RoPE tables to cover positions [0, <paramref name="count"/>).</summary>
    void EnsurePositions(int count)
    {
        if (_cos is not null && _cos.shape[0] >= count) return;
        var capacity = Math.Max(count, Math.Max(_maxPositions, 2 * (int)(_cos?.shape[0] ?? 0)));
        using var scope = NewDisposeScope();
        var (cos, sin) = _rotary.call(arange(capacity, dtype: ScalarType.Int64, device: _embed.device).unsqueeze(0));   // [1,P,d]
        _cos?.Dispose();
        _sin?.Dispose();
        _cos = cos.squeeze(0).repeat(1, _heads + _kvHeads).to_type(_embed.dtype).DetachFromDisposeScope();
        _sin = sin.squeeze(0).repeat(1, _heads + _kvHeads).to_type(_embed.dtype).DetachFromDisposeScope();
    }

    public void Dispose()
    {
        foreach (var layer in _layers) layer.Dispose();
        _embed.Dispose();
        _head.Dispose();
        _cos?.Dispose();
        _sin?.Dispose();
    }
}
