namespace IcdResearch.Evaluation;

/// <summary>
/// Multi-label code-set metrics over records (CCL paper §4, Table 3: micro/macro F1, precision, recall over the full
/// code set of each record). Micro: true/false positives and false negatives pooled over records. Macro: per-code
/// F1 = 2TP / (2TP + FP + FN), averaged over the codes that occur in the gold sets (a gold code never predicted
/// correctly contributes 0; codes only ever predicted do not enter the average).
/// </summary>
public sealed record CodeSetMetrics(double MicroPrecision, double MicroRecall, double MicroF1, double MacroF1)
{
    public static CodeSetMetrics Compute(IReadOnlyList<IReadOnlySet<string>> gold, IReadOnlyList<IReadOnlySet<string>> predicted)
    {
        if (gold.Count != predicted.Count) throw new ArgumentException($"gold has {gold.Count} records but predictions have {predicted.Count}");
        int tp = 0, fp = 0, fn = 0;
        var perCode = new Dictionary<string, (int Tp, int Fp, int Fn)>(StringComparer.Ordinal);
        for (int i = 0; i < gold.Count; i++)
        {
            foreach (var c in predicted[i].Union(gold[i]))
            {
                bool g = gold[i].Contains(c), p = predicted[i].Contains(c);
                var s = perCode.GetValueOrDefault(c);
                if (g && p) { tp++; s.Tp++; } else if (p) { fp++; s.Fp++; } else { fn++; s.Fn++; }
                perCode[c] = s;
            }
        }
        double precision = tp + fp == 0 ? 0 : (double)tp / (tp + fp);
        double recall = tp + fn == 0 ? 0 : (double)tp / (tp + fn);
        double micro = tp == 0 ? 0 : 2.0 * tp / (2.0 * tp + fp + fn);
        var goldCodes = perCode.Where(kv => kv.Value.Tp + kv.Value.Fn > 0).ToList();
        double macro = goldCodes.Count == 0 ? 0 : goldCodes.Average(kv => 2.0 * kv.Value.Tp / (2.0 * kv.Value.Tp + kv.Value.Fp + kv.Value.Fn));
        return new CodeSetMetrics(precision, recall, micro, macro);
    }

    /// <summary>The four metrics by their results/*.csv names.</summary>
    public IEnumerable<(string Metric, double Value)> Named() =>
        [("micro_f1", MicroF1), ("macro_f1", MacroF1), ("micro_precision", MicroPrecision), ("micro_recall", MicroRecall)];
}
