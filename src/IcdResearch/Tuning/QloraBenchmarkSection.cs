using IcdResearch.Modeling;

namespace IcdResearch.Tuning;

/// <summary>`icd bench` section "qlora": NF4 bytes per base parameter (target ≤ 0.6) and reconstruction error (QLoRA §3).</summary>
public sealed class QloraBenchmarkSection : IBenchmarkSection
{
    public string Name => "qlora";

    public object? Measure(CausalLM model)
    {
        var report = Nf4Report.Measure(model);
        return new
        {
            parameters = report.Parameters,
            bytes = report.Bytes,
            bytes_per_parameter = report.BytesPerParameter,
            meets_target_0_6 = report.BytesPerParameter <= 0.6,
            relative_error = report.RelativeError,
            max_abs_error = report.MaxAbsError,
        };
    }
}
