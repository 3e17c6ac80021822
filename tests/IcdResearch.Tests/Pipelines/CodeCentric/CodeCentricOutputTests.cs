using IcdResearch.Evaluation;
using IcdResearch.Pipelines.CodeCentric;

namespace IcdResearch.Tests;

/// <summary>Document-level target format (Appendix F) and robust parsing; code-set micro/macro metrics.</summary>
public class CodeCentricOutputTests
{
    static readonly Dictionary<string, string> Names = new() { ["I48.x01"] = "心房颤动", ["I10.x00x032"] = "高血压病3级（极高危）", ["E11.900"] = "2型糖尿病" };
    static readonly HashSet<string> Valid = [.. Names.Keys];

    [Fact]
    public void FormatThenParseRoundTrips()
    {
        var target = CodeCentricOutput.Format(["心房颤动", "高血压病（3级，很高危）"], ["I48.x01", "I10.x00x032"], Names);
        Assert.StartsWith(CodeCentricOutput.EvidenceHeader, target);
        var parsed = CodeCentricOutput.Parse(target, Valid);
        Assert.Equal(["心房颤动", "高血压病（3级，很高危）"], parsed.Evidence);
        Assert.Equal(["I48.x01", "I10.x00x032"], parsed.Codes);
        Assert.Empty(parsed.Rejected);
        var codesOnly = CodeCentricOutput.Parse(CodeCentricOutput.Format(null, ["E11.900"], Names), Valid);
        Assert.Empty(codesOnly.Evidence);
        Assert.Equal(["E11.900"], codesOnly.Codes);
    }

    [Fact]
    public void ParseToleratesTruncationInvalidCodesNamesAndRepeats()
    {
        var nameToCode = Names.ToDictionary(kv => kv.Value, kv => kv.Key);
        const string output = "证据：\n- 心房颤动\n编码：\nI48.x01 心房颤动\nI99.999 不存在\nZ00.000 2型糖尿病\nI48.x01 心房颤动\n高血压病3级（极高危）\nI10.x0";
        var parsed = CodeCentricOutput.Parse(output, Valid, nameToCode);
        Assert.Equal(["I48.x01", "E11.900", "I10.x00x032"], parsed.Codes);
        Assert.Contains("I99.999", parsed.Rejected);
        Assert.Equal(["心房颤动"], parsed.Evidence);
        Assert.Equal(["I48.x01"], CodeCentricOutput.Parse("I48.x01 心房颤动", Valid).Codes); // no headers at all
    }

    [Fact]
    public void MicroAndMacroMatchHandWorkedExample()
    {
        // r1: gold {A,B} pred {A,C}; r2: gold {A} pred {A,B}; r3: gold {C} pred {}.
        // Pooled: TP=2 (A,A), FP=2 (C in r1, B in r2), FN=2 (B in r1, C in r3) → P=R=F1=0.5.
        // Per code: A 2TP → 1; B 0TP 1FP 1FN → 0; C 0TP 1FP 1FN → 0; macro = 1/3.
        var gold = new IReadOnlySet<string>[] { new HashSet<string> { "A", "B" }, new HashSet<string> { "A" }, new HashSet<string> { "C" } };
        var pred = new IReadOnlySet<string>[] { new HashSet<string> { "A", "C" }, new HashSet<string> { "A", "B" }, new HashSet<string>() };
        var m = CodeSetMetrics.Compute(gold, pred);
        Assert.Equal(0.5, m.MicroPrecision, 12);
        Assert.Equal(0.5, m.MicroRecall, 12);
        Assert.Equal(0.5, m.MicroF1, 12);
        Assert.Equal(1.0 / 3, m.MacroF1, 12);
    }

    [Fact]
    public void MacroIgnoresCodesOnlyEverPredicted()
    {
        var gold = new IReadOnlySet<string>[] { new HashSet<string> { "A" } };
        var pred = new IReadOnlySet<string>[] { new HashSet<string> { "A", "Z" } };
        var m = CodeSetMetrics.Compute(gold, pred);
        Assert.Equal(1.0, m.MacroF1, 12);
        Assert.Equal(2.0 / 3, m.MicroF1, 12);
    }
}

/// <summary>Evidence quality (Table 4) on a hand-worked example.</summary>
public class EvidenceMetricsTests
{
    [Fact]
    public void ExactAndRelaxedMatchingPoolOverRecords()
    {
        // r1: reference {高血压病, 冠心病}, generated {高血压病, 房颤}; r2: reference {心房颤动}, generated {心房颤动伴长间歇}.
        var reference = new IReadOnlyList<string>[] { ["高血压病", "冠心病"], ["心房颤动"] };
        var generated = new IReadOnlyList<string>[] { ["高血压病", "房颤"], ["心房颤动伴长间歇"] };
        var exact = EvidenceMetrics.Compute(reference, generated);
        Assert.Equal(1.0 / 3, exact.Precision, 12); // 1 of 3 generated spans equals a reference span
        Assert.Equal(1.0 / 3, exact.Recall, 12);    // 1 of 3 reference spans generated
        var relaxed = EvidenceMetrics.Compute(reference, generated, relaxed: true);
        Assert.Equal(2.0 / 3, relaxed.Precision, 12); // + 心房颤动伴长间歇 ⊇ 心房颤动
        Assert.Equal(2.0 / 3, relaxed.Recall, 12);
        Assert.Equal(2.0 / 3, relaxed.F1, 12);
    }
}
