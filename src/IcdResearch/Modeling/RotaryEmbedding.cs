using static TorchSharp.torch;

namespace IcdResearch.Modeling;

/// <summary>
/// Rotary position embedding in the HF "rotate-half" convention: inverse frequencies θ^(-2i/d) (optionally
/// rescaled, see <see cref="RopeScaling"/>), cos/sin of position × frequency duplicated over both halves of the head.
/// </summary>
public sealed class RotaryEmbedding : nn.Module<Tensor, (Tensor Cos, Tensor Sin)>
{
    readonly Tensor _invFreq;

    public RotaryEmbedding(ModelConfig config) : base(nameof(RotaryEmbedding))
    {
        var dim = config.HeadDim;
        var invFreq = Enumerable.Range(0, dim / 2).Select(i => 1.0 / Math.Pow(config.RopeTheta, 2.0 * i / dim)).ToArray();
        if (config.EffectiveRopeScaling is { } scaling) invFreq = scaling.Apply(invFreq);
        _invFreq = tensor(invFreq.Select(f => (float)f).ToArray());
        register_buffer("inv_freq", _invFreq, persistent: false);
    }

    /// <summary>
    /// cos and <em>signed</em> sin for integer <paramref name="positions"/> [B,T] → each [B,T,head_dim], fp32.
    /// HF duplicates the angles over both halves, cos = [cos θ, cos θ], sin = [sin θ, sin θ]; we return
    /// [−sin θ, sin θ] so that <see cref="Apply"/> can swap halves without a separate negation.
    /// </summary>
    public override (Tensor Cos, Tensor Sin) forward(Tensor positions)
    {
        using var scope = NewDisposeScope();
        var freqs = positions.to_type(ScalarType.Float32).unsqueeze(-1) * _invFreq;   // [B,T,d/2]
        var (cos, sin) = (freqs.cos(), freqs.sin());
        return (cat([cos, cos], -1).MoveToOuterDisposeScope(), cat([-sin, sin], -1).MoveToOuterDisposeScope());
    }

    /// <summary>
    /// HF apply_rotary_pos_emb: x·cos + rotate_half(x)·sin with rotate_half(x) = [−x₂, x₁], computed as
    /// x·cos + [x₂, x₁]·signedSin, for x [B,heads,T,d] and cos/signedSin [B,T,d] from <see cref="forward"/>.
    /// </summary>
    public static Tensor Apply(Tensor x, Tensor cos, Tensor signedSin)
    {
        using var scope = NewDisposeScope();
        var half = x.shape[^1] / 2;
        var swapped = cat([x.narrow(-1, half, half), x.narrow(-1, 0, half)], -1);
        return (x * cos.unsqueeze(1) + swapped * signedSin.unsqueeze(1)).MoveToOuterDisposeScope();
    }
}
