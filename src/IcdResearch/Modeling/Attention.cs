using IcdResearch.Inference;
using static TorchSharp.torch;

namespace IcdResearch.Modeling;

/// <summary>
/// Causal grouped-query self-attention (HF <c>Qwen2Attention</c>/<c>Qwen3Attention</c>/<c>LlamaAttention</c>):
/// q/k/v projections (biased for Qwen2 or when attention_bias), Qwen3's per-head RMSNorm on q and k before RoPE,
/// rotary embedding, softmax(QKᵀ/√head_dim + mask)·V over key/value heads shared by groups of query heads, o_proj.
/// </summary>
public sealed class Attention : nn.Module, IHasProjections
{
#pragma warning disable IDE1006 // HF parameter names
    nn.Module<Tensor, Tensor> q_proj, k_proj, v_proj, o_proj;
    readonly RmsNorm? q_norm, k_norm;
#pragma warning restore IDE1006
    readonly int _heads, _kvHeads, _headDim, _layerIndex;

    public Attention(ModelConfig config, int layerIndex, WeightPlacement? placement = null) : base(nameof(Attention))
    {
        (_heads, _kvHeads, _headDim, _layerIndex) = (config.NumAttentionHeads, config.KeyValueHeads, config.HeadDim, layerIndex);
        placement ??= WeightPlacement.Default;
        q_proj = placement.Projection(config.HiddenSize, _heads * _headDim, config.QkvBias);
        k_proj = placement.Projection(config.HiddenSize, _kvHeads * _headDim, config.QkvBias);
        v_proj = placement.Projection(config.HiddenSize, _kvHeads * _headDim, config.QkvBias);
        o_proj = placement.Projection(_heads * _headDim, config.HiddenSize, config.OutputBias);
        if (config.HasQkNorm)
        {
            q_norm = new RmsNorm(_headDim, config.RmsNormEps, placement);
            k_norm = new RmsNorm(_headDim, config.RmsNormEps, placement);
        }
        RegisterComponents();
    }

    /// <param name="x">hidden states [B,T,H]</param>
    /// <param name="cos">rotary cos [B|1,T,head_dim]</param>
    /// <param name="sin">rotary sin [B|1,T,head_dim]</param>
    /// <param name="mask">additive mask [B|1,1,T,S] or null (then causal when there is no cache prefix)</param>
    /// <param name="cache">optional key/value cache; this call's keys/values are appended to it</param>
    public Tensor forward(Tensor x, Tensor cos, Tensor sin, Tensor? mask, KvCache? cache)
    {
        using var scope = NewDisposeScope();
        var (b, t) = (x.shape[0], x.shape[1]);
        var q = q_proj.call(x).view(b, t, _heads, _headDim);
        var k = k_proj.call(x).view(b, t, _kvHeads, _headDim);
        var v = v_proj.call(x).view(b, t, _kvHeads, _headDim).transpose(1, 2);
        if (q_norm is not null) q = q_norm.call(q);
        if (k_norm is not null) k = k_norm!.call(k);
        q = RotaryEmbedding.Apply(q.transpose(1, 2), cos, sin);   // [B,h,T,d]
        k = RotaryEmbedding.Apply(k.transpose(1, 2), cos, sin);   // [B,kv,T,d]
        var past = cache?.LayerLength(_layerIndex) ?? 0;
        if (cache is not null) (k, v) = cache.Append(_layerIndex, k, v);

        var groups = _heads / _kvHeads;
        Tensor output;
        if (t == 1 && groups > 1)
        {
            // Decoding one token: fold each query-head group onto its shared key/value head instead of copying K/V.
            var grouped = q.reshape(b, _kvHeads, groups, _headDim);
            output = nn.functional.scaled_dot_product_attention(grouped, k, v, mask).reshape(b, _heads, 1, _headDim);
        }
        else
        {
            if (groups > 1) (k, v) = (RepeatKv(k, groups), RepeatKv(v, groups));
            var causal = mask is null && past == 0 && t > 1;
            if (mask is null && past > 0 && t > 1)
                throw new InvalidOperationException("a multi-token step on top of a KV cache needs an explicit mask");
            output = nn.functional.scaled_dot_product_attention(q, k, v, mask, is_casual: causal);
        }
        var merged = output.transpose(1, 2).reshape(b, t, _heads * _headDim);
        return o_proj.call(merged).MoveToOuterDisposeScope();
    }

    /// <summary>[B,kv,S,d] → [B,kv·groups,S,d], head h reading key/value head h / groups (HF <c>repeat_kv</c>).</summary>
    internal static Tensor RepeatKv(Tensor x, int groups)
    {
        var (b, kv, s, d) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3]);
        return x.unsqueeze(2).expand(b, kv, groups, s, d).reshape(b, kv * groups, s, d);
    }

    public IEnumerable<(string Name, nn.Module<Tensor, Tensor> Module)> Projections() =>
        [("q_proj", q_proj), ("k_proj", k_proj), ("v_proj", v_proj), ("o_proj", o_proj)];

    public void ReplaceProjection(string name, nn.Module<Tensor, Tensor> replacement)
    {
        switch (name)
        {
            case "q_proj": q_proj = replacement; break;
            case "k_proj": k_proj = replacement; break;
            case "v_proj": v_proj = replacement; break;
            case "o_proj": o_proj = replacement; break;
            default: throw new ArgumentException($"Attention has no projection '{name}'", nameof(name));
        }
        _internal_submodules[name] = replacement; // keep the registered submodule in step with the field
    }
}
