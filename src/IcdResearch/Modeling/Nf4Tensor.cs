using TorchSharp;
using static TorchSharp.torch;

namespace IcdResearch.Modeling;

/// <summary>
/// A float tensor stored in NF4 with QLoRA's blockwise scheme (Dettmers et al. 2023, §3):
/// <list type="bullet">
/// <item>the flattened weights are cut into blocks of <see cref="BlockSize"/> = 64; each block is divided by its absmax
/// c₂ and every value is replaced by the index of the nearest <see cref="Nf4.CodeBook"/> entry (Lv et al. Eq. 1–2 with the NF4 data type);</item>
/// <item>two 4-bit indices are packed per byte (<see cref="Packed"/>, high nibble first);</item>
/// <item>Double Quantization (§3, "Double Quantization"): the fp32 absmax values c₂ are centred by their mean
/// (<see cref="ScaleMean"/>) and quantised to 8 bits in blocks of <see cref="ScaleBlockSize"/> = 256, each with an fp32
/// scale c₁ (<see cref="ScaleScales"/>).</item>
/// </list>
/// The second-level quantiser here is symmetric linear int8 (round((c₂ − mean)/c₁·127)), where the paper uses an 8-bit
/// float; both spend 8 bits per scale, so the memory cost is the paper's: 4 + 8/64 + 32/(64·256) ≈ 4.127 bits per weight.
/// Padding (to whole blocks) is zero and is counted in <see cref="StorageBytes"/>.
/// </summary>
public sealed class Nf4Tensor : IDisposable
{
    public const int BlockSize = 64;
    public const int ScaleBlockSize = 256;

    Nf4Tensor(long[] shape, Tensor packed, Tensor scaleCodes, Tensor scaleScales, float scaleMean)
    {
        Shape = shape;
        Packed = packed;
        ScaleCodes = scaleCodes;
        ScaleScales = scaleScales;
        ScaleMean = scaleMean;
    }

    public long[] Shape { get; }
    public long Count => Shape.Aggregate(1L, (a, b) => a * b);
    /// <summary>uint8 [blocks·64/2]: two NF4 indices per byte.</summary>
    public Tensor Packed { get; }
    /// <summary>int8 [blocks]: the double-quantised, mean-centred block absmax values (one per block of 64).</summary>
    public Tensor ScaleCodes { get; }
    /// <summary>fp32 [scale blocks]: c₁, the scale of each block of 256 absmax values.</summary>
    public Tensor ScaleScales { get; }
    /// <summary>Mean of all block absmax values, subtracted before the 8-bit quantisation.</summary>
    public float ScaleMean { get; }

    /// <summary>Bytes held by the quantised representation (packed codes + 8-bit scales + fp32 scales + mean).</summary>
    public long StorageBytes => Packed.NumberOfElements + ScaleCodes.NumberOfElements + ScaleScales.NumberOfElements * 4 + 4;

    /// <summary><see cref="StorageBytes"/> per original element (QLoRA target ≈ 0.516).</summary>
    public double BytesPerParameter => (double)StorageBytes / Count;

    /// <summary>Quantises <paramref name="weights"/> (any float dtype and shape) to NF4 with double-quantised scales.</summary>
    public static Nf4Tensor Quantize(Tensor weights)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var shape = weights.shape;
        var flat = weights.detach().to(float32).cpu().flatten();
        var blocks = PadTo(flat, BlockSize).view(-1, BlockSize);

        // First level: per-block absmax and nearest NF4 code.
        var absmax = blocks.abs().amax(1);
        var normalised = blocks / absmax.clamp_min(1e-30f).unsqueeze(1);
        var codes = bucketize(normalised, tensor(Nf4.Midpoints())).to(uint8).flatten();
        var pairs = codes.view(-1, 2);
        var packed = (pairs[.., 0] * 16 + pairs[.., 1]).to(uint8);

        // Second level (Double Quantization): centre c₂, then symmetric 8-bit per block of 256.
        var mean = absmax.mean().item<float>();
        var centred = PadTo(absmax - mean, ScaleBlockSize).view(-1, ScaleBlockSize);
        var c1 = centred.abs().amax(1).clamp_min(1e-30f) / 127f;
        // Only the real blocks' codes are stored; the padding of the last group of 256 is not.
        var scaleCodes = (centred / c1.unsqueeze(1)).round().clamp(-127, 127).to(int8).flatten()[..(int)absmax.shape[0]].contiguous();

        return new Nf4Tensor(shape, packed.MoveToOuterDisposeScope(), scaleCodes.MoveToOuterDisposeScope(),
            c1.contiguous().MoveToOuterDisposeScope(), mean);
    }

    /// <summary>The fp32 block absmax values recovered from the double quantisation: c₂ ≈ codes·c₁ + mean.</summary>
    public Tensor BlockAbsmax()
    {
        using var scope = NewDisposeScope();
        var blocks = ScaleCodes.shape[0];
        var c2 = PadTo(ScaleCodes.to(float32), ScaleBlockSize).view(-1, ScaleBlockSize) * ScaleScales.unsqueeze(1) + ScaleMean;
        return c2.flatten()[..(int)blocks].contiguous().MoveToOuterDisposeScope();
    }

    /// <summary>Reconstructs the fp32 tensor: code book value of each index × its block's absmax (dequantisation, Lv et al. Eq. 2).</summary>
    public Tensor Dequantize(ScalarType dtype = ScalarType.Float32)
    {
        using var scope = NewDisposeScope();
        // One lookup per packed byte: row b of the pair table holds the code values of b's high and low nibble.
        var values = PairTable().index_select(0, Packed.to(int32)).view(-1, BlockSize) * BlockAbsmax().unsqueeze(1);
        return values.flatten()[..(int)Count].view(Shape).to(dtype).MoveToOuterDisposeScope();
    }

    public void Dispose()
    {
        Packed.Dispose();
        ScaleCodes.Dispose();
        ScaleScales.Dispose();
    }

    static Tensor? _pairTable;
    /// <summary>fp32 [256, 2]: (CodeBook[b >> 4], CodeBook[b &amp; 15]) for every byte b (high nibble first, as packed).</summary>
    static Tensor PairTable() => _pairTable ??= tensor(Enumerable.Range(0, 256).SelectMany(b => new[] { Nf4.CodeBook[b >> 4], Nf4.CodeBook[b & 15] }).ToArray(), [256, 2]).DetachFromDisposeScope();

    static Tensor PadTo(Tensor flat, int multiple)
    {
        var pad = (multiple - flat.shape[0] % multiple) % multiple;
        return pad == 0 ? flat : cat([flat, zeros(pad, dtype: flat.dtype)]);
    }
}
