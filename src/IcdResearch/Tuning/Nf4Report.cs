using IcdResearch.Modeling;
using static TorchSharp.torch;

namespace IcdResearch.Tuning;

/// <summary>QLoRA storage cost and reconstruction error of NF4-quantising a model's projections (for `icd bench`).</summary>
public sealed record Nf4Report(long Parameters, long Bytes, double RelativeError, double MaxAbsError)
{
    /// <summary>Bytes per base parameter including all scales (QLoRA target ≈ 0.516; issue target ≤ 0.6).</summary>
    public double BytesPerParameter => (double)Bytes / Parameters;

    /// <summary>
    /// Quantises every linear projection of <paramref name="model"/> (without modifying it) and reports total NF4 bytes,
    /// the relative Frobenius error ‖W − Ŵ‖/‖W‖ over all projections, and the largest absolute element error.
    /// </summary>
    public static Nf4Report Measure(CausalLM model)
    {
        long parameters = 0, bytes = 0;
        double errorSquares = 0, normSquares = 0, maxAbs = 0;
        foreach (var (name, module) in model.NamedProjections())
        {
            if (module is not TorchSharp.Modules.Linear linear) continue;
            using var scope = NewDisposeScope();
            using var q = Nf4Tensor.Quantize(linear.weight!);
            var back = q.Dequantize();
            var w = linear.weight!.detach();
            parameters += q.Count;
            bytes += q.StorageBytes;
            errorSquares += (w - back).square().sum().item<float>();
            normSquares += w.square().sum().item<float>();
            maxAbs = Math.Max(maxAbs, (w - back).abs().max().item<float>());
        }
        if (parameters == 0) throw new InvalidOperationException("the model has no fp32 linear projections to quantise");
        return new Nf4Report(parameters, bytes, Math.Sqrt(errorSquares / normSquares), maxAbs);
    }

    public override string ToString() =>
        $"NF4 (blocks of 64, double-quantised scales): {Parameters:N0} params -> {Bytes:N0} bytes = {BytesPerParameter:F4} bytes/param; " +
        $"relative error {RelativeError:F4}, max abs error {MaxAbsError:G3}";
}
