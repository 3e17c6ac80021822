using IcdResearch.Evaluation;

namespace IcdResearch.Tests;

public class BootstrapTests
{
    [Fact]
    public void QuantileInterpolatesLinearly()
    {
        double[] sorted = [1, 2, 3, 4];
        Assert.Equal(2.5, Bootstrap.Quantile(sorted, 0.5));
        Assert.Equal(1, Bootstrap.Quantile(sorted, 0));
        Assert.Equal(4, Bootstrap.Quantile(sorted, 1));
        Assert.Equal(1.3, Bootstrap.Quantile(sorted, 0.1), 12);
    }

    [Fact]
    public void ConstantScoresGiveAPointInterval()
    {
        var (low, high) = Bootstrap.MeanCi([0.7, 0.7, 0.7], resamples: 50);
        Assert.Equal(0.7, low, 12);
        Assert.Equal(0.7, high, 12);
    }

    [Fact]
    public void IntervalIsSeededAndShrinksWithMoreRecords()
    {
        var small = Enumerable.Range(0, 20).Select(i => (double)(i % 2)).ToList();
        var large = Enumerable.Range(0, 500).Select(i => (double)(i % 2)).ToList();
        Assert.Equal(Bootstrap.MeanCi(small, 3, 1000), Bootstrap.MeanCi(small, 3, 1000));
        var (sl, sh) = Bootstrap.MeanCi(small, 3, 2000);
        var (ll, lh) = Bootstrap.MeanCi(large, 3, 2000);
        Assert.InRange(0.5, sl, sh);
        Assert.InRange(0.5, ll, lh);
        Assert.True(sh - sl > 2 * (lh - ll));
        // Normal approximation for a Bernoulli(0.5) mean: half-width ≈ 1.96·0.5/√n.
        Assert.InRange((lh - ll) / 2, 0.8 * 1.96 * 0.5 / Math.Sqrt(500), 1.2 * 1.96 * 0.5 / Math.Sqrt(500));
    }
}
