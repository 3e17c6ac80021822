using IcdResearch.Pipelines.CodeCentric;

namespace IcdResearch.Tests;

/// <summary>Gold, silver and synthetic pair builders of Code-Centric Learning (§3.3) on hand-made code tables.</summary>
public class CodeCentricPairsTests
{
    static readonly Dictionary<string, string> Names = new()
    {
        ["I10.x00x027"] = "高血压病2级（高危）",
        ["I10.x00x032"] = "高血压病3级（极高危）",
        ["I10.x00x031"] = "高血压病3级（高危）",
        ["I25.103"] = "冠状动脉粥样硬化性心脏病",
        ["I25.200"] = "陈旧性心肌梗死",
        ["I48.x01"] = "心房颤动",
        ["E11.900"] = "2型糖尿病",
        ["E11.901"] = "2型糖尿病伴并发症",
        ["J18.900"] = "肺炎",
        ["X99.000"] = "重名病",
        ["X99.001"] = "重名病",
    };

    [Fact]
    public void ScopeAddsSubcategoryNeighboursOnly()
    {
        var scope = new GoldPairBuilder(Names).Scope(["I10.x00x032", "E11.900"]);
        Assert.Equal(["E11.900", "E11.901", "I10.x00x027", "I10.x00x031", "I10.x00x032"], scope);
    }

    [Fact]
    public void TabularPairsAreOfficialNames()
    {
        var b = new GoldPairBuilder(Names);
        var pairs = b.Tabular(b.Scope(["I48.x01"]));
        var p = Assert.Single(pairs);
        Assert.Equal(("心房颤动", "I48.x01", PairSource.GoldTabular), (p.Span, p.Code, p.Source));
    }

    [Fact]
    public void IndexPairsNeedOneUnambiguousInScopeTerm()
    {
        var b = new GoldPairBuilder(Names);
        var scope = new HashSet<string> { "I25.103", "I48.x01", "X99.000", "X99.001" };
        var mentions = new GoldPairBuilder.Mention[]
        {
            new("冠心病", ["冠状动脉粥样硬化性心脏病"]),
            new("冠心病", ["冠状动脉粥样硬化性心脏病"]),
            new("房颤伴冠心病", ["心房颤动", "冠状动脉粥样硬化性心脏病"]), // two terms: not minimal evidence
            new("肺部炎症", ["肺炎"]),                                      // out of scope
            new("重名", ["重名病"]),                                        // ambiguous name
            new("心房颤动", ["心房颤动"]),                                  // identical to the name: tabular already
        };
        var (pairs, multi) = b.Index(mentions, scope);
        var p = Assert.Single(pairs);
        Assert.Equal(("冠心病", "I25.103", PairSource.GoldIndex, 2), (p.Span, p.Code, p.Source, p.Frequency));
        Assert.Equal(1, multi);
    }

    [Fact]
    public void NearestPrefersDeeperHierarchyLevelThenSimilarName()
    {
        // I10.x00x031 and x027 share the national code with x032; x031 ("3级（高危）") is the closer name.
        Assert.Equal("I10.x00x031", CodeHierarchy.Nearest("I10.x00x032", ["I10.x00x027", "I10.x00x031", "I25.103"], Names));
        Assert.Equal("I25.103", CodeHierarchy.Nearest("I25.200", ["I25.103", "I48.x01"], Names));
        Assert.Null(CodeHierarchy.Nearest("J18.900", ["I25.103"], Names));
        Assert.Equal(3, CodeHierarchy.SharedDepth("I10.x00x032", "I10.x00x027"));
        Assert.Equal(1, CodeHierarchy.SharedDepth("I25.103", "I25.200"));
    }

    [Fact]
    public void RewriteTransfersTheNameEditOntoTheSpan()
    {
        Assert.Equal("高血压病（2级，很高危）", SyntheticPairBuilder.Rewrite("高血压病（3级，很高危）", "高血压病3级（极高危）", "高血压病2级（高危）"));
        Assert.Equal("2型糖尿病伴并发症（初诊）", SyntheticPairBuilder.Rewrite("2型糖尿病（初诊）", "2型糖尿病", "2型糖尿病伴并发症"));
        Assert.Null(SyntheticPairBuilder.Rewrite("冠心病", "冠状动脉粥样硬化性心脏病", "冠状动脉粥样硬化性心脏病"));
    }

    [Fact]
    public void SyntheticPairsOnlyForCodesWithoutEvidenceAndFromSimilarNeighbours()
    {
        var evidence = new List<SpanCodePair>
        {
            new("高血压3级", "I10.x00x032", PairSource.Silver, 5),
            new("冠心病", "I25.103", PairSource.GoldIndex, 3),
            new("心房颤动", "I48.x01", PairSource.GoldTabular),
        };
        var synthetic = new SyntheticPairBuilder(Names).Build(["I10.x00x032", "I10.x00x027", "I25.200", "I48.x01"], evidence);
        var p = Assert.Single(synthetic); // I25.200's only neighbour has a dissimilar name; I48.x01 has only a tabular name
        Assert.Equal(("高血压2级", "I10.x00x027", PairSource.Synthetic, "I10.x00x032"), (p.Span, p.Code, p.Source, p.From));
    }
}
