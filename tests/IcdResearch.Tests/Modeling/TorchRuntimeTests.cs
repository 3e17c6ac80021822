using IcdResearch.Modeling;
using TorchSharp;
using static TorchSharp.torch;

namespace IcdResearch.Tests;

public class TorchRuntimeTests
{
    [Fact]
    public void NativeLibraryLoadsAndComputesAMatmul()
    {
        TorchRuntime.EnsureLoaded();
        using var a = tensor(new float[] { 1, 2, 3, 4 }, new long[] { 2, 2 });
        using var b = tensor(new float[] { 5, 6, 7, 8 }, new long[] { 2, 2 });
        using var c = a.matmul(b);
        Assert.Equal(new float[] { 19, 22, 43, 50 }, c.data<float>().ToArray());
    }

    [Fact]
    public void AutogradFlowsThroughTheLoadedRuntime()
    {
        TorchRuntime.EnsureLoaded();
        using var x = tensor(new float[] { 1, 2, 3 }, requires_grad: true);
        using var y = (x * x).sum();
        y.backward();
        Assert.Equal(new float[] { 2, 4, 6 }, x.grad!.data<float>().ToArray());
    }
}
