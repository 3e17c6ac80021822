using IcdResearch.Ner;
using IcdResearch.Pipelines.SystemA;
using IcdResearch.Inference.Constraints;

namespace IcdResearch.Tests;

public class AnswerConstraintTests
{
    readonly FakeCharTokenizer _tok = new();

    HashSet<string> AllowedAfter(AnswerConstraint c, string generated)
        => c.Allowed(_tok.Encode(generated))!.Select(id => id == 0 ? "<stop>" : _tok.Decode([id])).ToHashSet();

    [Fact]
    public void OneNameAllowsExactlyTheCandidateNames()
    {
        var c = new AnswerConstraint(new AnswerGrammar.OneName(["高血压", "高血压病", "冠心病"]), _tok);
        Assert.Equal(["高", "冠"], AllowedAfter(c, ""));
        Assert.Equal(["病", "<stop>"], AllowedAfter(c, "高血压"));
        Assert.Equal(["<stop>"], AllowedAfter(c, "高血压病"));
        Assert.Empty(AllowedAfter(c, "高x"));
    }

    [Fact]
    public void NameSetIsOrderedDistinctAndSeparated()
    {
        var c = new AnswerConstraint(new AnswerGrammar.NameSet(["甲病", "乙病", "丙病"]), _tok);
        Assert.Equal(["甲", "乙", "丙", "无"], AllowedAfter(c, ""));
        Assert.Equal([";", "<stop>"], AllowedAfter(c, "乙病"));
        Assert.Equal(["丙"], AllowedAfter(c, "乙病;")); // only names after 乙病 in canonical order
        Assert.Equal(["<stop>"], AllowedAfter(c, "丙病")); // the last name cannot be followed
        Assert.Equal(["<stop>"], AllowedAfter(c, "无"));
    }

    [Fact]
    public void BracketCopyOnlyInsertsBalancedNonEmptyBrackets()
    {
        var c = new AnswerConstraint(new AnswerGrammar.BracketCopy("ab"), _tok);
        Assert.Equal(["a", "["], AllowedAfter(c, ""));
        Assert.Equal(["a"], AllowedAfter(c, "["));
        Assert.Equal(["b", "]"], AllowedAfter(c, "[a"));
        Assert.Equal(["]"], AllowedAfter(c, "a[b")); // an open entity must be closed before stopping
        Assert.Equal(["<stop>"], AllowedAfter(c, "a[b]"));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void RandomWalksUnderTheConstraintAreAlwaysValid(int seed)
    {
        var rng = new Random(seed);
        string[] names = ["心律失常", "心房颤动", "高血压病3级（极高危）", "高血压病2级（极高危）", "2型糖尿病"];
        const string source = "既往高血压病，2型糖尿病。";
        for (var trial = 0; trial < 30; trial++)
        {
            foreach (var grammar in new AnswerGrammar[] { new AnswerGrammar.NameSet(names), new AnswerGrammar.BracketCopy(source) })
            {
                var c = new AnswerConstraint(grammar, _tok);
                var ids = new List<int>();
                while (true)
                {
                    var allowed = c.Allowed(ids)!.ToList();
                    Assert.NotEmpty(allowed);
                    var next = allowed[rng.Next(allowed.Count)];
                    if (next == 0) break;
                    ids.Add(next);
                }
                var text = _tok.Decode(ids);
                if (grammar is AnswerGrammar.BracketCopy)
                    Assert.Equal(source, BracketFormat.Parse(text).Text);
                else if (text != DiseaseCandidates.None)
                {
                    var parts = text.Split(';');
                    var ranks = parts.Select(p => Array.IndexOf(names, p)).ToList();
                    Assert.All(ranks, r => Assert.True(r >= 0));
                    Assert.Equal(ranks.OrderBy(r => r).Distinct(), ranks);
                }
            }
        }
    }
}
