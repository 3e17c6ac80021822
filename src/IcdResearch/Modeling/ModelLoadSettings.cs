using TorchSharp;
using static TorchSharp.torch;

namespace IcdResearch.Modeling;

/// <summary>
/// How model folders are loaded (`--dtype auto|float32|bfloat16|nf4`, `--device cpu|cuda`): the weights' dtype (null =
/// "auto", the checkpoint's own), whether the linear projections are loaded straight to NF4 (<see cref="Nf4Projections"/>,
/// `--dtype nf4`: QLoRA's 4-bit NormalFloat, Dettmers et al. 2023 §3; embeddings and norms keep the checkpoint's dtype)
/// and the device every weight and input lives on, and whether generation may use the <see cref="FusedDecoder"/>
/// (`--decoder fused|modules`; false decodes through the HF modules, the reference path). CUDA needs the CUDA build of libtorch:
/// the one switch is the package reference in src/IcdResearch/IcdResearch.csproj, <c>libtorch-cpu-linux-x64</c> →
/// <c>libtorch-cuda-12.8-linux-x64</c> (same version), which this machine's package feed does not serve.
/// </summary>
public sealed record ModelLoadSettings(ScalarType? Dtype = ScalarType.Float32, string Device = "cpu", bool Nf4Projections = false, bool FusedDecoding = true)
{
    public static ModelLoadSettings Default { get; } = new();

    /// <summary>Parses the CLI values (dtype: auto, float32, bfloat16, nf4; device: cpu, cuda, cuda:N; decoder: fused, modules).</summary>
    public static ModelLoadSettings Parse(string dtype, string device, string decoder = "fused") => ForDtype(dtype, device) with
    {
        FusedDecoding = decoder switch
        {
            "fused" => true,
            "modules" => false,
            _ => throw new ArgumentException($"--decoder '{decoder}': expected fused or modules"),
        },
    };

    static ModelLoadSettings ForDtype(string dtype, string device) => dtype switch
    {
        "auto" => new(null, device),
        "float32" => new(ScalarType.Float32, device),
        "bfloat16" => new(ScalarType.BFloat16, device),
        "nf4" => new(null, device, Nf4Projections: true),
        _ => throw new ArgumentException($"--dtype '{dtype}': expected auto, float32, bfloat16 or nf4"),
    };

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
