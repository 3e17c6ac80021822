using IcdResearch.Inference;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace IcdResearch.Modeling;

/// <summary>
/// The inference form of a <see cref="CausalLM"/>, built from its current weights (<see cref="CausalLM.Fused"/>): per
/// layer one matrix for q, k, v and the half-swapped q and k rows that rotary embedding needs (so RoPE is one mul and
/// one addcmul, no concatenations), one gate/up matrix, each RMSNorm weight folded into the matmul after it, and cos/sin
/// tables per position. The projections are stored as <see cref="PanelMatrix"/> panels: a decode step's few rows
/// multiply them on the decode threads at the memory bandwidth (the residual is the start value of the o and down
/// products), and the prefill's many rows use libtorch's GEMM on the unpacked matrices. A decode step keeps the hidden
/// state 2-D ([B,H]) and runs about 30 tensor ops per layer; while each row continues its own prompt its attention is one call over
/// [prompt; generated], and rows that continue the same prompt read its keys and values once
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
    /// One decoding step: token ids [B] (one per row of <paramref name="cache"/>) appended to it; returns next-token
    /// logits [B,V]. Rows continuing the same prompt read its stored keys and values once (<see cref="SharedPrefixAttention"/>).
    /// </summary>
    public Tensor Step(Tensor ids, SharedPrefixCache cache)
    {
        using var scope = NewDisposeScope();
        var b = ids.shape[0];
        var positions = cache.Positions ?? throw new InvalidOperationException("Step needs a cache filled by Prefill");
        var seen = cache.PrefixLength + cache.Length + 1;
        EnsurePositions(seen);   // bounds every row's position
        var mask = cache.Contiguous ? cache.ContiguousMask(seen) : null;
        var width = (_heads + _kvHeads) * _headDim;
        var (cos, sin) = (_cos!.index_select(0, positions), _sin!.index_select(0, positions));
        var x = _embed.index_select(0, ids);
        var (qd, kvd, groups) = (_heads * _headDim, _kvHeads * _headDim, _heads / _kvHeads);
        for (var l = 0; l < _layers.Length; l++)
        {
            var layer = _layers[l];
            var y = layer.Qkv.Multiply(Norm(x), layer.QkvBias);
            var qk = y.narrow(1, 0, width).mul(cos).addcmul_(y.narrow(1, width + kvd, width), sin, One);
            var (k, v) = cache.Append(l, qk.narrow(1, qd, kvd).view(b, _kvHeads, 1, _headDim), y.narrow(1, width, kvd).view(b, _kvHeads, 1, _headDim));
            var attended = cache.Contiguous   // each row its own prompt, generated keys right after it: one pass over [prompt; generated]
                ? DecodeAttention.Step(qk, 0, cache.ContiguousBuffers(l).Keys, cache.ContiguousBuffers(l).Values, (int)seen, mask, groups)
                : SharedPrefixAttention.Step(qk.narrow(1, 0, qd).view(b, _kvHeads, groups, _headDim), k, v, cache, l);
            x = Residual(x, attended, layer.Out, layer.OutBias);
            var gu = layer.GateUp.Multiply(Norm(x), layer.GateUpBias);
            x = Residual(x, nn.functional.silu(gu.narrow(1, 0, _intermediate)).mul_(gu.narrow(1, _intermediate, _intermediate)), layer.Down, layer.DownBias);
        }
        positions.add_(1);
        return _head.Multiply(Norm(x)).MoveToOuterDisposeScope();
    }

    /// <summary>RMSNorm without its weight (folded into the next matmul): x·rsqrt(mean(x²) + ε), in fp32 like HF.</summary>
    Tensor Norm(Tensor x) => x * x.square().mean([-1], keepdim: true).add_(_eps).rsqrt_();

    /// <summary>x + a·Wᵀ (+ bias) for 2-D x [B,H] and a [B,in]: the residual is the multiplication's start value.</summary>
    static Tensor Residual(Tensor x, Tensor a, PanelMatrix weight, Tensor? bias)
    {
        var y = weight.Multiply(a, x);
        return bias is null ? y : y.add_(bias);
    }

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
