using System.Text.Json;
using System.Text.Json.Serialization;
using IcdResearch.Data;

namespace IcdResearch.Evaluation;

/// <summary>Set precision, recall and F1 of one record's other codes.</summary>
public readonly record struct SetScore(double Precision, double Recall, double F1);

/// <summary>One gold record's scores. A record missing from the predictions scores 0 everywhere.</summary>
public sealed record RecordScore(string Id, bool Missing, bool PrimaryCorrect, SetScore Other)
{
    /// <summary>Lv et al. Eq. 4: 0.5·I(primary correct) + 0.5·F1(other codes).</summary>
    public double AccF1 => 0.5 * (PrimaryCorrect ? 1 : 0) + 0.5 * Other.F1;

    /// <summary>Organisers' published formula: 0.5·I(primary correct) + 0.5·|gold∩pred|/|gold|.</summary>
    public double AccRecall => 0.5 * (PrimaryCorrect ? 1 : 0) + 0.5 * Other.Recall;
}

/// <summary>The `icd evaluate` report; serialises to exactly the keys of issue #2 §4, in that order.</summary>
public sealed record Ccl25Report
{
    [JsonPropertyName("n")] public int N { get; init; }
    [JsonPropertyName("missing")] public int Missing { get; init; }
    [JsonPropertyName("primary_accuracy")] public double PrimaryAccuracy { get; init; }
    [JsonPropertyName("other_precision")] public double OtherPrecision { get; init; }
    [JsonPropertyName("other_recall")] public double OtherRecall { get; init; }
    [JsonPropertyName("other_f1")] public double OtherF1 { get; init; }
    [JsonPropertyName("acc_f1")] public double AccF1 { get; init; }
    [JsonPropertyName("acc_recall")] public double AccRecall { get; init; }
    [JsonPropertyName("other_micro_f1")] public double OtherMicroF1 { get; init; }
    [JsonPropertyName("other_macro_f1")] public double OtherMacroF1 { get; init; }
    [JsonPropertyName("acc_f1_ci95")] public double[] AccF1Ci95 { get; init; } = [];
    [JsonPropertyName("primary_accuracy_ci95")] public double[] PrimaryAccuracyCi95 { get; init; } = [];

    /// <summary>Per-record scores in gold order (not serialised).</summary>
    [JsonIgnore] public IReadOnlyList<RecordScore> Records { get; init; } = [];

    public string ToJson(bool indented = true) => JsonSerializer.Serialize(this, new JsonSerializerOptions { WriteIndented = indented });
}

/// <summary>
/// The CCL25-Eval Task 8 metrics (issue #2 §4). Per gold record: primary correct = exact code match; other codes are
/// compared as sets G (gold) and P (predicted): precision |G∩P|/|P|, recall |G∩P|/|G|, F1 = 2PR/(P+R).
/// Conventions for the degenerate cases (documented in `icd evaluate --help`):
/// both sets empty → precision = recall = F1 = 1 (perfect agreement); otherwise a ratio with a zero denominator is 0
/// (P empty → precision 0; G empty → recall 0) and F1 is 0 when P+R = 0. A gold record missing from the predictions
/// scores 0 on every per-record score (and counts in <c>missing</c>), and contributes its gold codes as false negatives
/// to micro/macro F1. Micro F1 = 2TP/(2TP+FP+FN) over all records (1 if that is 0/0). Macro F1 = the mean over every
/// code in the union of gold other-code sets of its F1 = 2TP/(2TP+FP+FN) (a code never predicted correctly gives 0;
/// predicted codes absent from all gold sets do not enter the average). CIs: seeded percentile bootstrap over records.
/// </summary>
public static class Ccl25Metrics
{
    /// <summary>Set P/R/F1 of predicted vs gold other codes (conventions above).</summary>
    public static SetScore Score(IReadOnlySet<string> gold, IReadOnlySet<string> predicted)
    {
        if (gold.Count == 0 && predicted.Count == 0) return new SetScore(1, 1, 1);
        var hit = gold.Count(predicted.Contains);
        double precision = predicted.Count == 0 ? 0 : (double)hit / predicted.Count;
        double recall = gold.Count == 0 ? 0 : (double)hit / gold.Count;
        double f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
        return new SetScore(precision, recall, f1);
    }

    /// <summary>Scores one gold record against its prediction (null = missing).</summary>
    public static RecordScore ScoreRecord(CodeAssignment gold, CodeAssignment? predicted) =>
        predicted is null
            ? new RecordScore(gold.Id, true, false, new SetScore(0, 0, 0))
            : new RecordScore(gold.Id, false, predicted.PrimaryCode == gold.PrimaryCode, Score(gold.OtherSet, predicted.OtherSet));

    /// <summary>
    /// Evaluates predictions against gold. A predicted id not in gold, or a duplicate predicted id, is a
    /// <see cref="DataFormatException"/> naming <paramref name="predictionSource"/> and the record.
    /// </summary>
    public static Ccl25Report Evaluate(IReadOnlyList<CodeAssignment> gold, IReadOnlyList<CodeAssignment> predictions,
        int seed = 42, int resamples = Bootstrap.DefaultResamples, string predictionSource = "predictions", string goldSource = "gold")
    {
        var goldIds = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < gold.Count; i++)
            if (!goldIds.Add(gold[i].Id)) throw new DataFormatException(goldSource, "duplicate id", i, gold[i].Id, Ccl25Fields.Id);
        var byId = new Dictionary<string, CodeAssignment>(StringComparer.Ordinal);
        for (var i = 0; i < predictions.Count; i++)
        {
            var p = predictions[i];
            if (!goldIds.Contains(p.Id)) throw new DataFormatException(predictionSource, $"id is not in the gold file {goldSource}", i, p.Id, Ccl25Fields.Id);
            if (!byId.TryAdd(p.Id, p)) throw new DataFormatException(predictionSource, "duplicate id (the same 病案标识 occurs earlier in the file)", i, p.Id, Ccl25Fields.Id);
        }
        if (gold.Count == 0) throw new ArgumentException($"the gold file {goldSource} holds no records");

        var records = gold.Select(g => ScoreRecord(g, byId.GetValueOrDefault(g.Id))).ToList();
        var accF1 = records.Select(r => r.AccF1).ToList();
        var primary = records.Select(r => r.PrimaryCorrect ? 1.0 : 0.0).ToList();
        var (f1Low, f1High) = Bootstrap.MeanCi(accF1, seed, resamples);
        var (pLow, pHigh) = Bootstrap.MeanCi(primary, seed, resamples);
        var (micro, macro) = MicroMacroF1(gold, byId);
        return new Ccl25Report
        {
            N = gold.Count,
            Missing = records.Count(r => r.Missing),
            PrimaryAccuracy = primary.Average(),
            OtherPrecision = records.Average(r => r.Other.Precision),
            OtherRecall = records.Average(r => r.Other.Recall),
            OtherF1 = records.Average(r => r.Other.F1),
            AccF1 = accF1.Average(),
            AccRecall = records.Average(r => r.AccRecall),
            OtherMicroF1 = micro,
            OtherMacroF1 = macro,
            AccF1Ci95 = [f1Low, f1High],
            PrimaryAccuracyCi95 = [pLow, pHigh],
            Records = records,
        };
    }

    /// <summary>Micro F1 over all (record, code) pairs and macro F1 over the codes of the gold other-code sets.</summary>
    public static (double Micro, double Macro) MicroMacroF1(IReadOnlyList<CodeAssignment> gold, IReadOnlyDictionary<string, CodeAssignment> predictions)
    {
        var perCode = new Dictionary<string, (int Tp, int Fp, int Fn)>(StringComparer.Ordinal);
        int tp = 0, fp = 0, fn = 0;
        foreach (var g in gold)
        {
            var goldSet = g.OtherSet;
            var predSet = predictions.TryGetValue(g.Id, out var p) ? p.OtherSet : new HashSet<string>();
            foreach (var code in goldSet.Union(predSet))
            {
                var (inGold, inPred) = (goldSet.Contains(code), predSet.Contains(code));
                var c = perCode.GetValueOrDefault(code);
                if (inGold && inPred) { tp++; c.Tp++; }
                else if (inPred) { fp++; c.Fp++; }
                else { fn++; c.Fn++; }
                perCode[code] = c;
            }
        }
        var micro = 2 * tp + fp + fn == 0 ? 1.0 : 2.0 * tp / (2 * tp + fp + fn);
        var goldCodes = perCode.Where(kv => kv.Value.Tp + kv.Value.Fn > 0).Select(kv => kv.Value).ToList();
        var macro = goldCodes.Count == 0
            ? (fp == 0 ? 1.0 : 0.0)
            : goldCodes.Average(c => 2.0 * c.Tp / (2 * c.Tp + c.Fp + c.Fn));
        return (micro, macro);
    }
}
