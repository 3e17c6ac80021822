using IcdResearch.Modeling;
using TorchSharp;
using static TorchSharp.torch;

namespace IcdResearch.Tests;

public class Nf4Tests
{
    [Fact]
    public void CodeBookIsTheNormalQuantileConstruction()
    {
        // The published table (QLoRA Appendix E) must equal its definition: rescaled N(0,1) quantiles with an exact zero.
        var rebuilt = Nf4.FromNormalQuantiles();
        Assert.Equal(16, Nf4.CodeBook.Count);
        for (var i = 0; i < 16; i++) Assert.Equal(rebuilt[i], Nf4.CodeBook[i], 6);
        Assert.Equal(-1f, Nf4.CodeBook[0]);
        Assert.Equal(0f, Nf4.CodeBook[7]);
        Assert.Equal(1f, Nf4.CodeBook[15]);
        Assert.True(Nf4.CodeBook.Zip(Nf4.CodeBook.Skip(1)).All(p => p.Second > p.First));
    }

    [Fact]
    public void InverseNormalCdfMatchesKnownQuantiles()
    {
        Assert.Equal(0.0, Nf4.InverseNormalCdf(0.5), 9);
        Assert.Equal(1.959963984540054, Nf4.InverseNormalCdf(0.975), 7);
        Assert.Equal(-2.326347874040841, Nf4.InverseNormalCdf(0.01), 7);
    }

    [Fact]
    public void ValuesOnTheGridRoundTripExactly()
    {
        TorchRuntime.EnsureLoaded();
        // Every block has the same absmax 0.5, so the centred scales are 0 and double quantisation is lossless.
        var codes = Enumerable.Range(0, 64 * 8).Select(i => Nf4.CodeBook[(i * 7) % 16] * 0.5f).ToArray();
        for (var b = 0; b < 8; b++) codes[b * 64] = 0.5f;
        using var w = tensor(codes).view(16, 32);
        using var q = Nf4Tensor.Quantize(w);
        using var back = q.Dequantize();
        Assert.Equal(codes, back.flatten().data<float>().ToArray());
    }

    [Fact]
    public void GaussianWeightsStayWithinTheQuantisationBound()
    {
        TorchRuntime.EnsureLoaded();
        var gen = new Generator(7);
        using var w = normal(0, 0.02, [96, 200], generator: gen);   // 19,200 values: 300 blocks, 2 scale blocks, no padding
        using var q = Nf4Tensor.Quantize(w);
        using var back = q.Dequantize();

        // Per element: the nearest-code error is at most half the widest code-book gap times the block absmax,
        // plus the (8-bit) error of the absmax itself.
        var maxGap = Nf4.CodeBook.Zip(Nf4.CodeBook.Skip(1)).Max(p => p.Second - p.First) / 2;
        using var absmax = w.view(-1, 64).abs().amax(1);
        using var absmaxHat = q.BlockAbsmax();
        using var scaleError = (absmax - absmaxHat).abs();
        using var bound = (absmax * maxGap + scaleError).unsqueeze(1) * 1.0001f + 1e-7f;
        using var error = (w - back).abs().view(-1, 64);
        Assert.True((error <= bound).all().item<bool>(), "an element exceeds the NF4 rounding bound");

        // Double quantisation of the scales costs little: 8-bit error relative to the scale spread.
        Assert.True(scaleError.max().item<float>() <= (absmax.max() - absmax.min()).item<float>() / 127 + 1e-7);

        // Overall relative RMS error for N(0, σ²) weights (NF4 is information-theoretically tuned for this case).
        var relative = ((w - back).norm() / w.norm()).item<float>();
        Assert.InRange(relative, 0.01f, 0.12f);
    }

    [Fact]
    public void StorageIsAboutHalfAByteperParameter()
    {
        TorchRuntime.EnsureLoaded();
        using var w = randn(256, 1024);
        using var q = Nf4Tensor.Quantize(w);
        // 0.5 (codes) + 1/64 (8-bit scales) + 4/(64*256) (fp32 second-level scales) + 4 bytes of mean
        Assert.Equal(0.5 + 1.0 / 64 + 4.0 / (64 * 256) + 4.0 / (256 * 1024), q.BytesPerParameter, 9);
        Assert.True(q.BytesPerParameter <= 0.6);
        Assert.Equal(ScalarType.Byte, q.Packed.dtype);
        Assert.Equal(256 * 1024 / 2, q.Packed.NumberOfElements);

        // A small matrix (32 blocks, one partial group of 256): no storage for the group's padding.
        using var small = Nf4Tensor.Quantize(randn(32, 64));
        Assert.Equal(32 * 64 / 2 + 32 + 4 + 4, small.StorageBytes);
    }

    [Fact]
    public void OddSizesArePaddedAndCropped()
    {
        TorchRuntime.EnsureLoaded();
        using var gen = new torch.Generator(7);
        using var w = randn(3, 7, generator: gen);
        using var q = Nf4Tensor.Quantize(w);
        using var back = q.Dequantize();
        Assert.Equal(new long[] { 3, 7 }, back.shape);
        // Worst case: half the widest NF4 gap, between −1 and −0.6962: 0.1519 of the block absmax (the old bound 0.14
        // ignored the negative side and failed on unlucky unseeded draws). One block, one scale: double quantisation is exact.
        Assert.True(((w - back).abs().max() <= w.abs().max() * 0.152f).item<bool>());

        using var zero = zeros(5, 9);              // degenerate scales (absmax 0, no spread) must not produce NaN
        using var zq = Nf4Tensor.Quantize(zero);
        using var zback = zq.Dequantize();
        Assert.Equal(0f, zback.abs().sum().item<float>());
    }

    [Fact]
    public void Nf4LinearIsFrozenAndMatchesALinearWithTheDequantisedWeight()
    {
        TorchRuntime.EnsureLoaded();
        using var lin = nn.Linear(64, 16);
        using var q = new Nf4Linear(lin);
        Assert.DoesNotContain(q.parameters(), p => p.requires_grad);
        using var x = randn(5, 64, requires_grad: true);
        using var y = q.forward(x);
        using var w = q.DequantizedWeight();
        using var expected = nn.functional.linear(x, w, lin.bias);
        Assert.True(y.allclose(expected, rtol: 0, atol: 1e-6));
        y.sum().backward();
        Assert.NotNull(x.grad);   // gradients still reach the input (and so any LoRA layers below)
    }
}
