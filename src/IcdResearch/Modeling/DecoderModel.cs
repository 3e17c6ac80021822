using IcdResearch.Inference;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace IcdResearch.Modeling;

/// <summary>
/// The <c>model.*</c> trunk: token embedding, decoder layers, final RMSNorm. Builds positions and the attention
/// mask from an optional HF-style padding mask [B, past+T] (1 = token, 0 = padding; left padding allowed).
/// </summary>
public sealed class DecoderModel : nn.Module
{
#pragma warning disable IDE1006 // HF parameter names
    internal readonly Embedding embed_tokens;
    internal readonly ModuleList<DecoderLayer> layers;
    internal readonly RmsNorm norm;
    internal readonly RotaryEmbedding rotary_emb;
#pragma warning restore IDE1006

    public DecoderModel(ModelConfig config, WeightPlacement? placement = null) : base(nameof(DecoderModel))
    {
        embed_tokens = nn.Embedding(config.VocabSize, config.HiddenSize, device: placement?.Device, dtype: placement?.Dtype);
        layers = nn.ModuleList(Enumerable.Range(0, config.NumHiddenLayers).Select(i => new DecoderLayer(config, i, placement)).ToArray());
        norm = new RmsNorm(config.HiddenSize, config.RmsNormEps, placement);
        rotary_emb = new RotaryEmbedding(config);
        RegisterComponents();
    }

    /// <summary>Final-norm hidden states [B,T,H] for <paramref name="inputIds"/> [B,T].</summary>
    public Tensor forward(Tensor inputIds, Tensor? attentionMask, KvCache? cache)
    {
        using var scope = NewDisposeScope();
        var (b, t) = (inputIds.shape[0], inputIds.shape[1]);
        var past = cache?.Length ?? 0;
        if (attentionMask is not null && !attentionMask.shape.SequenceEqual([b, past + t]))
            throw new ArgumentException($"attention mask must be [batch, past+new] = [{b}, {past + t}], got [{string.Join(",", attentionMask.shape)}]");
        var dtype = embed_tokens.weight!.dtype;

        // A mask of all ones is no mask: keep the fast causal / no-mask attention paths. Without a cache, right padding
        // (each row 1…1 0…0, as in SFT batches) needs no mask either: real tokens never see the padding after them and
        // keep positions 0,1,…; outputs at padding positions are unspecified.
        if (attentionMask is not null && (cache is null ? IsRightPadded(attentionMask) : attentionMask.all().item<bool>())) attentionMask = null;

        Tensor positions, mask4d;
        if (attentionMask is null)
        {
            positions = arange(past, past + t, dtype: ScalarType.Int64, device: inputIds.device).unsqueeze(0);
            mask4d = past > 0 && t > 1 ? CausalMask(ones(1, past + t, dtype: ScalarType.Bool, device: inputIds.device), past, t, dtype) : null!;
        }
        else
        {
            // HF generate(): position = number of real tokens before this one, so left padding does not shift RoPE.
            var keep = attentionMask.to_type(ScalarType.Bool);
            positions = (keep.to_type(ScalarType.Int64).cumsum(-1) - 1).clamp_min(0).narrow(1, past, t);
            mask4d = CausalMask(keep, past, t, dtype);
        }

        var (cos, sin) = rotary_emb.call(positions);
        (cos, sin) = (cos.to_type(dtype), sin.to_type(dtype));
        var x = embed_tokens.call(inputIds);
        foreach (var layer in layers) x = layer.forward(x, cos, sin, mask4d, cache);
        return norm.call(x).MoveToOuterDisposeScope();
    }

    static bool IsRightPadded(Tensor mask)
    {
        using var scope = NewDisposeScope();
        var keep = mask.to_type(ScalarType.Int64);
        var t = keep.shape[1];
        return t < 2 || keep.narrow(1, 1, t - 1).le(keep.narrow(1, 0, t - 1)).all().item<bool>();
    }

    /// <summary>Additive mask [B,1,T,S]: 0 where query i (absolute position past+i) may see key j, else float.MinValue.</summary>
    internal static Tensor CausalMask(Tensor keep, int past, long t, ScalarType dtype)
    {
        var s = keep.shape[1];
        var device = keep.device;
        var queryPos = arange(past, past + t, dtype: ScalarType.Int64, device: device).unsqueeze(1);   // [T,1]
        var keyPos = arange(0, s, dtype: ScalarType.Int64, device: device).unsqueeze(0);               // [1,S]
        var allowed = keyPos.le(queryPos).unsqueeze(0) & keep.unsqueeze(1);                            // [B,T,S]
        return zeros(allowed.shape, dtype, device).masked_fill(allowed.logical_not(), MinValue(dtype)).unsqueeze(1);
    }

    internal static double MinValue(ScalarType dtype) => dtype switch
    {
        ScalarType.Float16 => (double)Half.MinValue,
        ScalarType.BFloat16 => -3.3895313892515355e38,
        ScalarType.Float64 => double.MinValue,
        _ => float.MinValue,
    };
}
