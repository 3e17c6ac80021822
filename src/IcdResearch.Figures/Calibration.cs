namespace IcdResearch.Figures;

/// <summary>One confidence bin of a reliability diagram: how many cases, their mean confidence and their accuracy.</summary>
public sealed record CalibrationBin(double Low, double High, int Count, double MeanConfidence, double Accuracy);

/// <summary>
/// Is the token-confidence score (Lv et al. §3.1, Eq. 2) calibrated? Equal-width bins over [0, 1]; the expected
/// calibration error is the count-weighted mean |accuracy − confidence| over non-empty bins (Guo et al., 2017).
/// </summary>
public static class Calibration
{
    public static IReadOnlyList<CalibrationBin> Bins(IEnumerable<CaseConfidence> cases, int bins = 10)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bins, 1);
        var list = cases.ToList();
        foreach (var c in list)
            if (double.IsNaN(c.Confidence) || c.Confidence < 0 || c.Confidence > 1 + 1e-6)
                throw new ArgumentException($"case {c.Id}: confidence {c.Confidence} is outside [0, 1].");
        return Enumerable.Range(0, bins).Select(b =>
        {
            double low = (double)b / bins, high = (double)(b + 1) / bins;
            // The last bin is closed (with fp32 slack) so that confidence 1.0 — the paper's "confidence = 1" cases — lands in it.
            var inBin = list.Where(c => c.Confidence >= low && (c.Confidence < high || (b == bins - 1 && c.Confidence <= high + 1e-6))).ToList();
            return inBin.Count == 0
                ? new CalibrationBin(low, high, 0, double.NaN, double.NaN)
                : new CalibrationBin(low, high, inBin.Count, inBin.Average(c => c.Confidence), inBin.Average(c => c.Correct ? 1.0 : 0.0));
        }).ToList();
    }

    public static double ExpectedCalibrationError(IReadOnlyList<CalibrationBin> bins)
    {
        var total = bins.Sum(b => b.Count);
        return total == 0 ? double.NaN : bins.Where(b => b.Count > 0).Sum(b => b.Count * Math.Abs(b.Accuracy - b.MeanConfidence)) / total;
    }
}
