using IcdResearch.Evaluation;
using IcdResearch.Inference;
using IcdResearch.Pipelines.SystemA;

namespace IcdResearch.Tests;

/// <summary>The readings of Lv et al.'s "Confidence = 1" gate, the reduced-precision rounding behind them, and the calibration rows.</summary>
public class ConfidenceGateTests
{
    [Theory]
    [InlineData(0.998, FloatFormat.Bf16, 0.99609375)]        // below the bf16 midpoint 1 − 2⁻⁹ = 0.998046875
    [InlineData(0.9981, FloatFormat.Bf16, 1.0)]
    [InlineData(0.9997, FloatFormat.Fp16, 0.99951171875)]    // below the fp16 midpoint 1 − 2⁻¹² = 0.999755859375
    [InlineData(0.9998, FloatFormat.Fp16, 1.0)]
    [InlineData(0.9998, FloatFormat.Fp32, 0.9998)]
    [InlineData(0.3, FloatFormat.Bf16, 0.30078125)]
    public void RoundsProbabilitiesAsAReducedPrecisionModelStoresThem(double p, FloatFormat format, double expected)
        => Assert.Equal(expected, ReducedPrecision.Round(p, format), 6);

    [Fact]
    public void OneThresholdIsTheSmallestValueThatRoundsToOne()
    {
        foreach (var format in new[] { FloatFormat.Bf16, FloatFormat.Fp16 })
        {
            var t = ReducedPrecision.OneThreshold(format);
            Assert.Equal(1.0, ReducedPrecision.Round(t, format));
            Assert.True(ReducedPrecision.Round(t - 1e-7, format) < 1.0, $"{format}: just below {t} must not round to 1");
        }
    }

    [Fact]
    public void GatesDisagreeExactlyWhereTheirReadingsDiffer()
    {
        static PrimaryFirstPass First(params double[] p) => new("A", p.Average()) { TokenProbabilities = p };
        var nearlySure = First(0.9999, 0.9985);        // every token > 0.998: bf16 stores both as 1, fp16 keeps 0.9985 < 1
        var fp32One = First(0.99999994, 0.99999994);   // what fp32 softmax gives a certain token
        var sure = First(1.0, 1.0);
        var bf16 = ConfidenceThreshold.RoundsToOne(FloatFormat.Bf16);
        var fp16 = ConfidenceThreshold.RoundsToOne(FloatFormat.Fp16);
        Assert.False(bf16.IsUncertain(nearlySure));
        Assert.True(fp16.IsUncertain(nearlySure));
        Assert.True(ConfidenceThreshold.Paper.IsUncertain(nearlySure));
        Assert.False(ConfidenceThreshold.Paper.IsUncertain(fp32One));       // `icd predict`: 1 within fp32 rounding
        Assert.True(ConfidenceThreshold.ExactlyOne.IsUncertain(fp32One));   // literal "= 1" routes it
        Assert.False(bf16.IsUncertain(fp32One));
        Assert.All(new[] { bf16, fp16, ConfidenceThreshold.Paper, ConfidenceThreshold.ExactlyOne }, g => Assert.False(g.IsUncertain(sure)));
        Assert.True(bf16.IsUncertain(new PrimaryFirstPass("A", 0)));       // no tokens (unmappable answer): always routed
    }

    static PrimaryOutcome Outcome(string id, string gold, string first, double confidence, string neighbour, string? rejudged, params double[] tokens)
        => new(id, gold, new PrimaryFirstPass(first, confidence) { TokenProbabilities = tokens.Length == 0 ? [confidence] : tokens }, neighbour, rejudged, rejudged);

    [Fact]
    public void GateRowsCountTheCasesEachReadingRoutes()
    {
        var outcomes = new[]
        {
            Outcome("1", "A", "B", 0.9990, "A", "A", 0.9999, 0.9981),   // wrong, bf16-certain, fp16-uncertain; retrieval fixes it
            Outcome("2", "A", "A", 0.90, "B", "B"),                     // right but unsure; retrieval breaks it
            Outcome("3", "A", "A", 1.0, "A", null),                     // right and certain: never routed
        };
        var rows = PrimaryGates.Rows(outcomes, "test");
        double Routed(string arm) => rows.Single(r => r.Arm == arm && r.Metric == "routed").Value;
        double Acc(string arm) => rows.Single(r => r.Arm == arm && r.Metric == "primary_accuracy").Value;
        Assert.Equal(2, Routed("confidence_retrieval@fp32"));
        Assert.Equal(2, Routed("confidence_retrieval@fp16"));
        Assert.Equal(1, Routed("confidence_retrieval@bf16"));         // case 1 counts as certain in bf16
        Assert.Equal(2.0 / 3, Acc("confidence_retrieval@fp32"), 9);    // 1 fixed, 1 broken
        Assert.Equal(1.0 / 3, Acc("confidence_retrieval@bf16"), 9);    // only the breakage routed
    }

    [Fact]
    public void AurocIsTheProbabilityThatARightAnswerOutscoresAWrongOne()
    {
        Assert.Equal(1.0, Auroc.Compute([0.9, 0.8, 0.2, 0.1], [true, true, false, false]));
        Assert.Equal(0.0, Auroc.Compute([0.9, 0.8, 0.2, 0.1], [false, false, true, true]));
        Assert.Equal(0.5, Auroc.Compute([0.5, 0.5, 0.5], [true, false, true]));
        // Pairs (right, wrong): (0.7,0.6) win, (0.7,0.7) tie, (0.4,0.6) loss, (0.4,0.7) loss → (1 + 0.5) / 4.
        Assert.Equal(0.375, Auroc.Compute([0.7, 0.4, 0.6, 0.7], [true, true, false, false]));
        Assert.True(double.IsNaN(Auroc.Compute([0.1, 0.2], [true, true])));
    }

    [Fact]
    public void CalibrationRowsGiveTheThresholdThatRoutesEveryCaseRetrievalFixes()
    {
        var outcomes = new[]
        {
            Outcome("1", "A", "B", 0.95, "A", "A", 0.9, 1.0),    // wrong; retrieval fixes it; mean 0.95, min 0.9, first 0.9
            Outcome("2", "A", "B", 0.70, "A", "A", 0.4, 1.0),    // wrong; fixed; mean 0.70
            Outcome("3", "A", "A", 0.99, "A", null, 0.98, 1.0),  // right, agrees with retrieval
            Outcome("4", "A", "A", 0.60, "B", "B", 0.2, 1.0),    // right; retrieval breaks it
        };
        var rows = ConfidenceCalibration.Rows(outcomes, "test");
        double Get(string score, string metric) => rows.Single(r => r.Arm == score && r.Metric == metric).Value;
        // Mean confidence: right answers 0.99, 0.60 vs wrong 0.95, 0.70 → pairs: 0.99 beats both, 0.60 beats none → 0.5.
        Assert.Equal(0.5, Get("mean_token_probability", "auroc_primary_correct"), 9);
        Assert.Equal(0.95, Get("mean_token_probability", "threshold_to_route_fixed"), 9);
        Assert.Equal(3, Get("mean_token_probability", "routed_at_threshold"));   // 0.95, 0.70, 0.60
        Assert.Equal(1, Get("mean_token_probability", "broken_at_threshold"));
        Assert.Equal(0.9, Get("min_token_probability", "threshold_to_route_fixed"), 9);
        Assert.DoesNotContain(rows, r => r.Arm == "first_token_margin");          // no runner-up recorded: score skipped
    }
}
