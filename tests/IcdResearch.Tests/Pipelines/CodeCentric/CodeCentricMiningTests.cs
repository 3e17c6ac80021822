using IcdResearch.Pipelines.CodeCentric;

namespace IcdResearch.Tests;

/// <summary>Silver mining (Eq. 6–7): verbatim minimal spans, negation and no-evidence handling, consolidation.</summary>
public class CodeCentricMiningTests
{
    const string Doc = "入院诊断：1.慢性心功能不全急性加重心功能III级2.心律失常心房扑动心房颤动3.高血压病（3级，很高危）\n主诉：胸闷10年\n既往史：否认糖尿病病史";

    static readonly Dictionary<string, string> Names = new()
    {
        ["I48.x01"] = "心房颤动",
        ["I10.x00x032"] = "高血压病3级（极高危）",
        ["E11.900"] = "2型糖尿病",
        ["I25.103"] = "冠状动脉粥样硬化性心脏病",
    };

    [Fact]
    public void SegmentsSplitAtListNumberingButNotInsideBrackets()
    {
        var segments = DocumentSegments.Split(Doc).Select(s => s.Text).ToList();
        Assert.Contains("心律失常心房扑动心房颤动", segments);
        Assert.Contains("高血压病（3级，很高危）", segments);
        Assert.All(DocumentSegments.Split(Doc), s => Assert.Equal(s.Text, Doc.Substring(s.Offset, s.Text.Length)));
    }

    [Fact]
    public void AlignmentFindsMinimalVerbatimSpans()
    {
        var x = new AlignmentSpanExtractor();
        Assert.Equal("心房颤动", x.Extract(Doc, "I48.x01", Names["I48.x01"]));
        var htn = x.Extract(Doc, "I10.x00x032", Names["I10.x00x032"]);
        Assert.Equal("高血压病（3级，很高危）", htn); // 高血压病·3级·高危） align; the window spans them
        Assert.Contains(htn!, Doc);
    }

    [Fact]
    public void NegatedMentionsAndAbsentCodesGiveNoEvidence()
    {
        var x = new AlignmentSpanExtractor();
        Assert.Null(x.Extract(Doc, "E11.900", Names["E11.900"]));   // only "否认糖尿病"
        Assert.Null(x.Extract(Doc, "I25.103", Names["I25.103"]));
        var withAlias = new AlignmentSpanExtractor(new Dictionary<string, IReadOnlyList<string>> { ["I25.103"] = ["冠心病"] });
        Assert.Equal("冠心病", withAlias.Extract("诊断：冠心病，高血压", "I25.103", Names["I25.103"]));
    }

    sealed class FixedExtractor(string? answer) : ISpanExtractor
    {
        public string Name => "fixed";
        public string? Extract(string document, string code, string codeName) => answer;
    }

    [Fact]
    public void NonVerbatimSpansAreRejectedAndCounted()
    {
        var docs = new[] { new SilverPairMiner.Document("a", Doc, ["I48.x01"]) };
        var (spans, report) = new SilverPairMiner(new FixedExtractor("房颤（患者自述）")).ExtractAll(docs, Names);
        Assert.Empty(spans);
        Assert.Equal((1, 1, 0, 0, 1), (report.Documents, report.Attempts, report.Found, report.NoEvidence, report.NonVerbatim));
        var (none, noneReport) = new SilverPairMiner(new FixedExtractor(null)).ExtractAll(docs, Names);
        Assert.Empty(none);
        Assert.Equal(1, noneReport.NoEvidence);
    }

    [Fact]
    public void ConsolidationCountsDocumentsMergesVariantsAndKeepsTheMostFrequent()
    {
        var mined = new List<SilverPairMiner.MinedSpan>
        {
            new("d1", "I10", "高血压（3级）", 0), new("d2", "I10", "高血压(3级)", 0), new("d3", "I10", "高血压（3级）", 0),
            new("d3", "I10", "高血压（3级）", 9), // same document twice counts once
            new("d4", "I10", "高血压病", 0), new("d5", "I10", "高血压病", 0),
            new("d6", "I10", "血压高", 0),
        };
        var pairs = new SilverPairMiner(new FixedExtractor(null), maxPerCode: 2).Consolidate(mined);
        Assert.Equal([("高血压（3级）", 3), ("高血压病", 2)], pairs.Select(p => (p.Span, p.Frequency)));
        Assert.All(pairs, p => Assert.Equal(PairSource.Silver, p.Source));
    }
}
