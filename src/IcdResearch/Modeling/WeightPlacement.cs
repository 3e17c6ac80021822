using TorchSharp.Modules;
using static TorchSharp.torch;

namespace IcdResearch.Modeling;

/// <summary>
/// The dtype and devices a model's modules allocate their weights with, passed down explicitly: torch's default dtype
/// and device are process-wide, so a load that switched them (e.g. to bfloat16) would race with models built
/// concurrently on other threads (tests, `icd serve` loading several models). Null = torch's defaults.
/// <see cref="ProjectionDevice"/> places only the linear projections, e.g. on torch's meta device (no memory) for a
/// skeleton whose projections are replaced while loading (<see cref="CausalLM.FromPretrained"/> with NF4).
/// <see cref="Uninitialized"/>: the weights are about to be overwritten by a checkpoint, so the token embedding is
/// allocated without torch's N(0, 1) initialisation, which on bf16 goes through fp32 temporaries (a 1.3 GB spike for
/// Qwen2.5-1.5B's 151,936 × 1,536 table).
/// </summary>
public sealed record WeightPlacement(ScalarType? Dtype = null, Device? Device = null, Device? ProjectionDevice = null, bool Uninitialized = false)
{
    public static WeightPlacement Default { get; } = new();

    /// <summary>Where the linear projections' weights go (<see cref="ProjectionDevice"/>, else <see cref="Device"/>).</summary>
    public Device? Projections => ProjectionDevice ?? Device;

    /// <summary>A token embedding [rows, dim], left uninitialised when <see cref="Uninitialized"/>.</summary>
    internal Embedding Embedding(long rows, long dim)
    {
        if (!Uninitialized) return nn.Embedding(rows, dim, device: Device, dtype: Dtype);
        // TorchSharp's Embedding always initialises its table on the CPU (even for the meta device): build a one-row
        // module and give it an uninitialised table of the real size.
        var embedding = nn.Embedding(1, dim, device: Device, dtype: Dtype);
        var placeholder = embedding.weight;
        embedding.weight = new Parameter(empty(rows, dim, dtype: Dtype, device: Device));
        placeholder?.Dispose();
        return embedding;
    }

    /// <summary>A linear layer [out, in] placed as a projection.</summary>
    internal nn.Module<Tensor, Tensor> Projection(long inFeatures, long outFeatures, bool hasBias) =>
        nn.Linear(inFeatures, outFeatures, hasBias: hasBias, device: Projections, dtype: Dtype);
}
