using IcdResearch.Evaluation;

namespace IcdResearch.Tests;

public class PairedTestTests
{
    static List<double> Scores(int n, int seed, double shift)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, n).Select(_ => Math.Clamp(0.5 + shift + (random.NextDouble() - 0.5) * 0.4, 0, 1)).ToList();
    }

    [Fact]
    public void IdenticalArmsAreNotSignificant()
    {
        var a = Scores(50, 1, 0);
        Assert.Equal(1.0, PairedTest.Bootstrap(a, a, resamples: 500).PValue);
        Assert.Equal(1.0, PairedTest.ApproximateRandomization(a, a, trials: 500).PValue);
    }

    [Fact]
    public void AClearImprovementIsSignificantInBothTests()
    {
        var a = Scores(60, 1, 0);
        var b = a.Select(x => Math.Min(1, x + 0.2)).ToList();
        var boot = PairedTest.Bootstrap(a, b, resamples: 2000);
        var ar = PairedTest.ApproximateRandomization(a, b, trials: 2000);
        Assert.True(boot.Delta > 0.1);
        Assert.True(boot.PValue < 0.01, $"bootstrap p = {boot.PValue}");
        Assert.True(ar.PValue < 0.01, $"randomisation p = {ar.PValue}");
        Assert.InRange(boot.Delta, boot.CiLow, boot.CiHigh);
        Assert.True(boot.CiLow > 0);
    }

    [Fact]
    public void NoiseOnlyDifferenceIsUsuallyNotSignificant()
    {
        var a = Scores(40, 1, 0);
        var b = Scores(40, 2, 0);
        Assert.True(PairedTest.ApproximateRandomization(a, b, trials: 2000).PValue > 0.05);
    }

    [Fact]
    public void UnpairedInputsAreRejected() =>
        Assert.Throws<ArgumentException>(() => PairedTest.Bootstrap([1, 0], [1]));
}
