using System.Numerics.Tensors;
using IcdResearch.Inference;

namespace IcdResearch.Tests;

/// <summary>
/// The nucleus draw of <see cref="TokenChooser"/> against references written the plain way: with distinct weights it
/// must pick the same token for the same seed as the descending comparison sort earlier runs sampled with; where weights
/// are equal (ties decide which token a draw lands on) it ranks them in candidate order, as a stable sort does.
/// </summary>
public class TokenChooserTests
{
    /// <summary>
    /// The draw as first written: temperature, a descending sort (the comparison sort earlier runs used, or a stable
    /// one), the top-p nucleus, one uniform draw.
    /// </summary>
    static int ReferenceDraw(float[] logits, int vocabulary, double temperature, double topP, Random random, bool stable)
    {
        var candidates = Enumerable.Range(0, vocabulary).ToArray();
        var inverse = (float)(1.0 / temperature);
        var keys = candidates.Select(t => logits[t] * inverse).ToArray();
        TensorPrimitives.Subtract(keys, TensorPrimitives.Max(keys), keys);
        TensorPrimitives.Exp(keys, keys);
        if (stable)
        {
            candidates = [.. candidates.OrderByDescending(c => keys[c])];   // LINQ's sort is stable: ties in token order
            keys = [.. candidates.Select(c => keys[c])];
        }
        else keys.AsSpan().Sort(candidates.AsSpan(), (a, b) => b.CompareTo(a));
        var total = TensorPrimitives.Sum(keys);
        var kept = 0;
        for (var above = 0.0; kept < keys.Length && above <= topP * total; kept++) above += keys[kept];
        var u = random.NextDouble() * TensorPrimitives.Sum(keys.AsSpan(0, kept));
        var cumulative = 0.0;
        for (var i = 0; i < kept; i++)
        {
            cumulative += keys[i];
            if (u < cumulative) return candidates[i];
        }
        return candidates[kept - 1];
    }

    [Theory]
    [InlineData(17, 0.8, 0.95, false)]
    [InlineData(300, 1.0, 0.9, false)]
    [InlineData(2304, 0.8, 0.95, false)]
    [InlineData(4096, 0.7, 0.99, false)]
    [InlineData(17, 0.8, 0.95, true)]
    [InlineData(2304, 0.8, 0.95, true)]
    [InlineData(4096, 0.7, 0.99, true)]
    public void SamplesTheSameTokensAsThePlainSortsDistinctWeightsAsTheComparisonSortTiesInTokenOrder(int vocabulary, double temperature, double topP, bool ties)
    {
        var options = new GenerationOptions { DoSample = true, Temperature = temperature, TopP = topP };
        var data = new Random(vocabulary);
        var differing = 0;
        for (var seed = 0; seed < 40; seed++)
        {
            var chooser = new TokenChooser(vocabulary, vocabulary + 64, options, seed);
            var reference = new Random(seed);   // the chooser's own generator, replayed
            for (var step = 0; step < 25; step++)
            {
                var logits = new float[vocabulary + 64];
                if (ties)   // few distinct levels → many exactly equal weights, some inside the nucleus
                {
                    var levels = data.Next(2, 12);
                    for (var t = 0; t < logits.Length; t++) logits[t] = data.Next(levels) * 0.5f;
                }
                else   // distinct levels, spaced so that their weights stay distinct too
                {
                    var order = Enumerable.Range(0, logits.Length).OrderBy(_ => data.Next()).ToArray();
                    var spread = data.Next(1, 8);
                    for (var t = 0; t < logits.Length; t++) logits[t] = order[t] * spread * 4f / logits.Length;
                }
                var (token, _) = chooser.Choose(logits, allowed: null, stops: []);
                if (token != ReferenceDraw(logits, vocabulary, temperature, topP, reference, stable: ties)) differing++;
            }
        }
        Assert.Equal(0, differing);
    }
}
