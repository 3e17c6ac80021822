using TorchSharp;
using static TorchSharp.torch;

namespace IcdResearch.Modeling;

/// <summary>
/// How model folders are loaded (`--dtype auto|float32|bfloat16`, `--device cpu|cuda`): the weights' dtype (null =
/// "auto", the checkpoint's own) and the device every weight and input lives on. CUDA needs the CUDA build of libtorch:
/// the one switch is the package reference in src/IcdResearch/IcdResearch.csproj, <c>libtorch-cpu-linux-x64</c> →
/// <c>libtorch-cuda-12.8-linux-x64</c> (same version), which this machine's package feed does not serve.
/// </summary>
public sealed record ModelLoadSettings(ScalarType? Dtype = ScalarType.Float32, string Device = "cpu")
{
    public static ModelLoadSettings Default { get; } = new();

    /// <summary>Parses the CLI values (dtype: auto, float32, bfloat16; device: cpu, cuda, cuda:N).</summary>
    public static ModelLoadSettings Parse(string dtype, string device) => new(dtype switch
    {
        "auto" => null,
        "float32" => ScalarType.Float32,
        "bfloat16" => ScalarType.BFloat16,
        _ => throw new ArgumentException($"--dtype '{dtype}': expected auto, float32 or bfloat16"),
    }, device);

    /// <summary>The torch device, after checking that this libtorch build has it.</summary>
    public Device TorchDevice()
    {
        TorchRuntime.EnsureLoaded();
        if (Device == "cpu") return CPU;
        if (!Device.StartsWith("cuda", StringComparison.Ordinal)) throw new ArgumentException($"--device '{Device}': expected cpu or cuda[:N]");
        if (!cuda.is_available())
            throw new InvalidOperationException("--device cuda: this build has no CUDA (libtorch-cpu-linux-x64). Replace the package reference " +
                                                "libtorch-cpu-linux-x64 by libtorch-cuda-12.8-linux-x64 in src/IcdResearch/IcdResearch.csproj and rebuild (docs/scale-out.md).");
        return torch.device(Device);
    }
}
