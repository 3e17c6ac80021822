using IcdResearch.Inference.Constraints;
using IcdResearch.Ner;
using IcdResearch.Pipelines.SystemA;

namespace IcdResearch.Tests;

public class UnitGrammarConstraintTests
{
    readonly FakeCharTokenizer _tok = new();

    UnitGrammarConstraint Constraint(AnswerGrammar grammar) => new(grammar.ToUnitGrammar(), _tok);

    /// <summary>Allowed next tokens after <paramref name="ids"/> (id 0 = stop); empty once the ids left the grammar.</summary>
    static List<int> Allowed(UnitGrammarConstraint c, IEnumerable<int> ids)
    {
        var state = c.Start;
        foreach (var id in ids)
        {
            if (!c.AllowedTokens(state).Contains(id)) return [];
            state = c.Advance(state, id);
        }
        return c.CanStop(state) ? [.. c.AllowedTokens(state), 0] : [.. c.AllowedTokens(state)];
    }

    HashSet<string> AllowedAfter(UnitGrammarConstraint c, string generated)
        => Allowed(c, _tok.Encode(generated)).Select(id => id == 0 ? "<stop>" : _tok.Decode([id])).ToHashSet();

    [Fact]
    public void OneNameAllowsExactlyTheCandidateNames()
    {
        var c = Constraint(new AnswerGrammar.OneName(["高血压", "高血压病", "冠心病"]));
        Assert.Equal(["高", "冠"], AllowedAfter(c, ""));
        Assert.Equal(["病", "<stop>"], AllowedAfter(c, "高血压"));
        Assert.Equal(["<stop>"], AllowedAfter(c, "高血压病"));
        Assert.Empty(AllowedAfter(c, "高x"));
    }

    [Fact]
    public void NameSetIsOrderedDistinctAndSeparated()
    {
        var c = Constraint(new AnswerGrammar.NameSet(["甲病", "乙病", "丙病"]));
        Assert.Equal(["甲", "乙", "丙", "无"], AllowedAfter(c, ""));
        Assert.Equal([";", "<stop>"], AllowedAfter(c, "乙病"));
        Assert.Equal(["丙"], AllowedAfter(c, "乙病;")); // only names after 乙病 in canonical order
        Assert.Equal(["<stop>"], AllowedAfter(c, "丙病")); // the last name cannot be followed
        Assert.Equal(["<stop>"], AllowedAfter(c, "无"));
    }

    [Fact]
    public void BracketCopyOnlyInsertsBalancedNonEmptyBrackets()
    {
        var c = Constraint(new AnswerGrammar.BracketCopy("ab"));
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
                var c = Constraint(grammar);
                var ids = new List<int>();
                while (true)
                {
                    var allowed = Allowed(c, ids);
                    Assert.NotEmpty(allowed);
                    var next = allowed[rng.Next(allowed.Count)];
                    if (next == 0) break;
                    ids.Add(next);
                }
                var text = _tok.Decode(ids);
                Assert.Equal(text, c.Spell(ids));
                if (grammar is AnswerGrammar.BracketCopy)
                    Assert.Equal(source, BracketFormat.Parse(text).Text);
                else if (text != AnswerGrammar.NameSet.None)
                {
                    var parts = text.Split(';');
                    var ranks = parts.Select(p => Array.IndexOf(names, p)).ToList();
                    Assert.All(ranks, r => Assert.True(r >= 0));
                    Assert.Equal(ranks.OrderBy(r => r).Distinct(), ranks);
                }
            }
        }
    }

    [Fact]
    public void GbnfTextRoundTripsAndDecodesTheSameLanguage()
    {
        foreach (var grammar in new AnswerGrammar[] { new AnswerGrammar.OneName(["甲\"病", "乙病"]), new AnswerGrammar.NameSet(["甲病", "乙病", "丙病"]), new AnswerGrammar.BracketCopy("a\nb") })
        {
            var units = grammar.ToUnitGrammar();
            var parsed = UnitGrammar.ParseGbnf(units.ToGbnf());
            Assert.Equal(units.ToGbnf(), parsed.ToGbnf());
            var (a, b) = (new UnitGrammarConstraint(units, _tok), new UnitGrammarConstraint(parsed, _tok));
            Assert.Equal(a.AllowedTokens(a.Start), b.AllowedTokens(b.Start));
        }
    }

    [Theory]
    [InlineData("root ::= [a-z]+")]
    [InlineData("root ::= x \"a\"\nx ::= \"b\"")]
    [InlineData("root ::= \"a\" missing")]
    public void GbnfOutsideTheRightLinearSubsetIsRejected(string text)
        => Assert.Throws<FormatException>(() => UnitGrammar.ParseGbnf(text));

    [Fact]
    public void SpellKeepsCharactersTheVocabularyLacks()
    {
        // A vocabulary without 'Ω' encodes it as the unknown token '?', which decodes to '?': the spelled answer is still exact.
        var tok = new LossyTokenizer(_tok);
        var c = new UnitGrammarConstraint(new AnswerGrammar.OneName(["Ω病", "乙病"]).ToUnitGrammar(), tok);
        var ids = tok.Encode("Ω病");
        Assert.Equal("?病", tok.Decode(ids));
        Assert.Equal("Ω病", c.Spell(ids));
        Assert.Null(c.Spell(tok.Encode("丙")));
    }

    sealed class LossyTokenizer(FakeCharTokenizer inner) : IcdResearch.Text.ITextTokenizer
    {
        public int VocabSize => inner.VocabSize;
        public IReadOnlyList<int> Encode(string text) => inner.Encode(text.Replace('Ω', '?'));
        public string Decode(IEnumerable<int> ids, bool skipSpecialTokens = true) => inner.Decode(ids, skipSpecialTokens);
        public int EosId => inner.EosId;
        public int PadId => inner.PadId;
        public IReadOnlyList<int> StopIds => inner.StopIds;
        public string ApplyChatTemplate(IReadOnlyList<IcdResearch.Text.ChatMessage> messages, bool addGenerationPrompt) => inner.ApplyChatTemplate(messages, addGenerationPrompt);
        public void Save(string directory) => inner.Save(directory);
    }
}
