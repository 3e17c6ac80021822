using IcdResearch.Data;
using IcdResearch.Evaluation;

namespace IcdResearch.Tests;

public class Ccl25MetricsTests
{
    static CodeAssignment A(string id, string primary, params string[] others) => new(id, primary, others);

    // Hand-worked example (numbers computed on paper from the formulas of issue #2 §4):
    // r1: primary right; G={x,y,z}, P={x,y,w} → P=R=F1=2/3; acc_f1 = .5 + 1/3.
    // r2: primary wrong; G={x}, P={x,y} → P=1/2, R=1, F1=2/3; acc_f1 = 1/3, acc_recall = 1/2.
    // r3: missing → all 0.
    static readonly CodeAssignment[] Gold = [A("r1", "A", "x", "y", "z"), A("r2", "B", "x"), A("r3", "A", "y", "z")];
    static readonly CodeAssignment[] Pred = [A("r2", "C", "x", "y"), A("r1", "A", "x", "y", "w")];

    [Fact]
    public void MatchesTheHandWorkedExample()
    {
        var r = Ccl25Metrics.Evaluate(Gold, Pred, resamples: 200);
        Assert.Equal(3, r.N);
        Assert.Equal(1, r.Missing);
        Assert.Equal(1.0 / 3, r.PrimaryAccuracy, 12);
        Assert.Equal((2.0 / 3 + 1.0 / 2 + 0) / 3, r.OtherPrecision, 12);   // 7/18
        Assert.Equal((2.0 / 3 + 1 + 0) / 3, r.OtherRecall, 12);            // 5/9
        Assert.Equal((2.0 / 3 + 2.0 / 3 + 0) / 3, r.OtherF1, 12);          // 4/9
        Assert.Equal((5.0 / 6 + 1.0 / 3 + 0) / 3, r.AccF1, 12);            // 7/18
        Assert.Equal((5.0 / 6 + 1.0 / 2 + 0) / 3, r.AccRecall, 12);        // 4/9
        // micro: TP = 2 + 1, FP = 1 (w) + 1 (y in r2), FN = 1 (z in r1) + 2 (r3) → 2·3/(6+2+3)
        Assert.Equal(6.0 / 11, r.OtherMicroF1, 12);
        // macro over gold codes {x, y, z}: x: TP2 → 1; y: TP1 FP1 FN1 → 2/4; z: FN2 → 0.
        Assert.Equal((1 + 0.5 + 0) / 3, r.OtherMacroF1, 12);
    }

    [Theory]
    [InlineData(new string[0], new string[0], 1, 1, 1)]             // both empty: perfect agreement
    [InlineData(new[] { "x" }, new string[0], 0, 0, 0)]             // nothing predicted
    [InlineData(new string[0], new[] { "x" }, 0, 0, 0)]             // nothing to predict, something predicted
    [InlineData(new[] { "x", "y" }, new[] { "x", "y" }, 1, 1, 1)]
    [InlineData(new[] { "x", "y" }, new[] { "z" }, 0, 0, 0)]
    [InlineData(new[] { "x", "y", "z", "w" }, new[] { "x" }, 1, 0.25, 0.4)]
    public void SetScoreConventions(string[] gold, string[] pred, double p, double r, double f1)
    {
        var s = Ccl25Metrics.Score(gold.ToHashSet(), pred.ToHashSet());
        Assert.Equal((p, r, f1), (s.Precision, s.Recall, Math.Round(s.F1, 12)));
    }

    [Fact]
    public void DuplicateCodesInAPredictionCountOnce()
    {
        var r = Ccl25Metrics.Evaluate([A("r1", "A", "x", "y")], [A("r1", "A", "x", "x")], resamples: 10);
        Assert.Equal(1.0, r.OtherPrecision);
        Assert.Equal(0.5, r.OtherRecall);
    }

    [Fact]
    public void PerfectPredictionsScoreOneWithADegenerateCi()
    {
        var r = Ccl25Metrics.Evaluate(Gold, Gold, resamples: 100);
        Assert.Equal([1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0], new[] { r.PrimaryAccuracy, r.OtherPrecision, r.OtherRecall, r.OtherF1, r.AccF1, r.AccRecall, r.OtherMicroF1, r.OtherMacroF1 });
        Assert.Equal([1.0, 1.0], r.AccF1Ci95);
        Assert.Equal(0, r.Missing);
    }

    [Fact]
    public void UnknownOrDuplicatePredictedIdsAreErrors()
    {
        var unknown = Assert.Throws<DataFormatException>(() => Ccl25Metrics.Evaluate(Gold, [A("zz", "A")], predictionSource: "p.json"));
        Assert.Contains("p.json", unknown.Message);
        Assert.Equal("zz", unknown.RecordId);
        Assert.Contains("not in the gold", unknown.Message);
        var duplicate = Assert.Throws<DataFormatException>(() => Ccl25Metrics.Evaluate(Gold, [A("r1", "A"), A("r1", "B")]));
        Assert.Equal((1, "r1"), (duplicate.RecordIndex, duplicate.RecordId));
    }

    [Fact]
    public void CiBracketsThePointEstimateAndIsSeeded()
    {
        var gold = Enumerable.Range(0, 40).Select(i => A($"g{i}", i % 2 == 0 ? "A" : "B", "x")).ToList();
        var pred = Enumerable.Range(0, 40).Select(i => A($"g{i}", i % 3 == 0 ? "B" : "A", i % 4 == 0 ? "y" : "x")).ToList();
        var r1 = Ccl25Metrics.Evaluate(gold, pred, seed: 7, resamples: 2000);
        var r2 = Ccl25Metrics.Evaluate(gold, pred, seed: 7, resamples: 2000);
        Assert.Equal(r1.AccF1Ci95, r2.AccF1Ci95);
        Assert.InRange(r1.AccF1, r1.AccF1Ci95[0], r1.AccF1Ci95[1]);
        Assert.InRange(r1.PrimaryAccuracy, r1.PrimaryAccuracyCi95[0], r1.PrimaryAccuracyCi95[1]);
        Assert.True(r1.PrimaryAccuracyCi95[1] - r1.PrimaryAccuracyCi95[0] > 0.1);
    }

    [Fact]
    public void JsonHasExactlyTheIssueKeysInOrder()
    {
        using var doc = System.Text.Json.JsonDocument.Parse(Ccl25Metrics.Evaluate(Gold, Pred, resamples: 10).ToJson());
        Assert.Equal(
            ["n", "missing", "primary_accuracy", "other_precision", "other_recall", "other_f1", "acc_f1", "acc_recall",
             "other_micro_f1", "other_macro_f1", "acc_f1_ci95", "primary_accuracy_ci95"],
            doc.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.Equal(2, doc.RootElement.GetProperty("acc_f1_ci95").GetArrayLength());
    }
}
