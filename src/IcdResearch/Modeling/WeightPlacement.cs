using static TorchSharp.torch;

namespace IcdResearch.Modeling;

/// <summary>
/// The dtype and devices a model's modules allocate their weights with, passed down explicitly: torch's default dtype
/// and device are process-wide, so a load that switched them (e.g. to bfloat16) would race with models built
/// concurrently on other threads (tests, `icd serve` loading several models). Null = torch's defaults.
/// <see cref="ProjectionDevice"/> places only the linear projections, e.g. on torch's meta device (no memory) for a
/// skeleton whose projections are replaced while loading (<see cref="CausalLM.FromPretrained"/> with NF4).
/// </summary>
public sealed record WeightPlacement(ScalarType? Dtype = null, Device? Device = null, Device? ProjectionDevice = null)
{
    public static WeightPlacement Default { get; } = new();

    /// <summary>Where the linear projections' weights go (<see cref="ProjectionDevice"/>, else <see cref="Device"/>).</summary>
    public Device? Projections => ProjectionDevice ?? Device;

    /// <summary>A linear layer [out, in] placed as a projection.</summary>
    internal nn.Module<Tensor, Tensor> Projection(long inFeatures, long outFeatures, bool hasBias) =>
        nn.Linear(inFeatures, outFeatures, hasBias: hasBias, device: Projections, dtype: Dtype);
}
