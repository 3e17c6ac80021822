using IcdResearch.Modeling;
using static TorchSharp.torch;

namespace IcdResearch.Tests;

/// <summary>The decode steps' packed projections against float64 products, and their independence of batch and thread split.</summary>
[Collection(EnvironmentCollection.Name)]
public class PanelMatrixTests
{
    static Tensor Random(long rows, long columns, int seed)
    {
        TorchRuntime.EnsureLoaded();
        using var generator = new TorchSharp.torch.Generator((ulong)seed);
        return randn([rows, columns], generator: generator);
    }

    /// <summary>Same shape and the same bits.</summary>
    static bool Same(Tensor x, Tensor y) => x.shape.SequenceEqual(y.shape) && x.eq(y).all().item<bool>();

    [Fact]
    public void ProductsMatchFloat64WithZeroBiasOrResidualStartsAndAPartialLastPanel()
    {
        using var _ = NewDisposeScope();
        var weightT = Random(70, 37, seed: 1);   // K = 70, N = 37: two full 16-column panels and one of 5
        using var matrix = new PanelMatrix(weightT);
        Assert.Equal((70, 37), (matrix.Inputs, matrix.Outputs));
        Assert.Equal(0, (matrix.Unpacked() - weightT).abs().max().item<float>());
        foreach (var m in new[] { 1, 3, 4, 5, 8, 13 })
        {
            var a = Random(m, 70, seed: 10 + m);
            var bias = Random(1, 37, seed: 30 + m).view(37);
            var residual = Random(m, 37, seed: 50 + m);
            var product = a.to_type(ScalarType.Float64).matmul(weightT.to_type(ScalarType.Float64));
            foreach (var (start, expected) in new (Tensor?, Tensor)[] { (null, product), (bias, product + bias.to_type(ScalarType.Float64)), (residual, product + residual.to_type(ScalarType.Float64)) })
            {
                var y = matrix.Multiply(a, start);
                Assert.Equal(new long[] { m, 37 }, y.shape);
                var error = (y.to_type(ScalarType.Float64) - expected).abs().max().item<double>();
                Assert.InRange(error, 0, 1e-4);   // |products| ~ 8: fp32 accumulation over 70 terms
            }
        }
    }

    [Fact]
    public void ARowsResultIsTheSameBitsAloneOrInABatchOnOneOrTwoThreads()
    {
        using var _ = NewDisposeScope();
        using var matrix = new PanelMatrix(Random(256, 200, seed: 2));
        var a = Random(9, 256, seed: 3);
        var saved = DecodeWorkers.Ways;
        try
        {
            DecodeWorkers.Ways = 1;
            var batch = matrix.Multiply(a);
            DecodeWorkers.Ways = 2;
            Assert.True(Same(matrix.Multiply(a), batch));
            for (var row = 0; row < 9; row++) Assert.True(Same(matrix.Multiply(a.narrow(0, row, 1)), batch.narrow(0, row, 1)), $"row {row}");
        }
        finally
        {
            DecodeWorkers.Ways = saved;
        }
    }

    [Fact]
    public void CallersOnSeveralThreadsAtOnceEachGetTheirOwnProduct()
    {
        using var _ = NewDisposeScope();
        using var matrix = new PanelMatrix(Random(128, 300, seed: 4));
        var inputs = Enumerable.Range(0, 4).Select(i => Random(2 + i, 128, seed: 20 + i)).ToArray();
        var expected = inputs.Select(a => matrix.Multiply(a)).ToArray();
        var results = new bool[inputs.Length];
        Parallel.For(0, inputs.Length, i =>
        {
            DecodeWorkers.Ways = 2;   // per thread: whoever finds the workers busy multiplies alone
            var same = true;
            for (var repeat = 0; repeat < 50; repeat++)
            {
                using var y = matrix.Multiply(inputs[i]);
                same &= Same(y, expected[i]);
            }
            results[i] = same;
            DecodeWorkers.Ways = 1;
        });
        Assert.All(results, Assert.True);
    }

    [Fact]
    public void AWrongInputWidthOrStartShapeIsRefused()
    {
        using var _ = NewDisposeScope();
        using var matrix = new PanelMatrix(Random(8, 20, seed: 5));
        Assert.Throws<ArgumentException>(() => matrix.Multiply(Random(2, 9, seed: 6)));
        Assert.Throws<ArgumentException>(() => matrix.Multiply(Random(2, 8, seed: 6), Random(3, 20, seed: 7)));
        Assert.Throws<ArgumentException>(() => new PanelMatrix(Random(8, 20, seed: 5).to_type(ScalarType.Float64)));
        Assert.Throws<ArgumentException>(() => new PanelMatrix(Random(8, 20, seed: 5).view(2, 4, 20)));   // one matrix, not a batch
    }
}
