using IcdResearch.Pipelines.SystemA;

namespace IcdResearch.Tests;

public class SystemAPromptsTests
{
    static readonly Dictionary<string, string> Names = new() { ["I10"] = "高血压病", ["E11"] = "2型糖尿病", ["I25"] = "冠心病" };
    static DiseaseCandidates Candidates() => new(["I25", "I10", "E11"], c => Names[c]);

    [Fact]
    public void CandidatesMapNamesBackToCodesInCanonicalOrder()
    {
        var c = Candidates();
        Assert.Equal("冠心病;高血压病;2型糖尿病", c.PromptList());
        Assert.Equal("冠心病;2型糖尿病", c.FormatSet(["E11", "I25", "UNKNOWN", "E11"]));
        Assert.Equal(DiseaseCandidates.None, c.FormatSet([]));
        Assert.Equal(["I25", "E11"], c.ParseSet(c.FormatSet(["E11", "I25"])));
        Assert.Empty(c.ParseSet(DiseaseCandidates.None));
        Assert.Equal("I10", c.CodeOf(" 高血压病"));
        Assert.Throws<ArgumentException>(() => new DiseaseCandidates(["A", "B"], _ => "同名"));
        Assert.Throws<ArgumentException>(() => new DiseaseCandidates(["A"], _ => "a;b"));
    }

    [Fact]
    public void PaperOrderNerPromptListsTheCandidatesThenTheEntities()
    {
        var unlisted = new DiseaseCandidates(["I25", "I10", "E11"], c => Names[c]) { ListedInPrompt = false };
        var ours = SystemAPrompts.Other("主诉：胸痛", unlisted, ["高血压"]);
        var paper = SystemAPrompts.Other("主诉：胸痛", unlisted.Listed(), ["高血压"], NerPromptLayout.CandidatesThenEntities);
        Assert.DoesNotContain(unlisted.PromptList(), ours);                 // our default profile leaves the names out
        var candidates = paper.IndexOf(unlisted.PromptList(), StringComparison.Ordinal);
        var entities = paper.IndexOf("疾病实体：高血压", StringComparison.Ordinal);
        Assert.True(candidates > paper.IndexOf("主诉：胸痛", StringComparison.Ordinal) && entities > candidates, paper);   // Figure 3: information, names, entities
        Assert.Contains(unlisted.PromptList(), SystemAPrompts.Other("x", unlisted, ["y"], NerPromptLayout.CandidatesThenEntities)); // listed even when the set says not to
        var oursListed = SystemAPrompts.Other("主诉：胸痛", unlisted.Listed(), ["高血压"]);
        Assert.True(oursListed.IndexOf("疾病实体", StringComparison.Ordinal) < oursListed.IndexOf(unlisted.PromptList(), StringComparison.Ordinal)); // ours: entities first
    }

    [Fact]
    public void PromptsCarryInstructionInformationCandidatesAndExtras()
    {
        var c = Candidates();
        var primary = SystemAPrompts.Primary("主诉：胸痛", c);
        Assert.Contains("主诉：胸痛", primary);
        Assert.Contains(c.PromptList(), primary);

        var withExample = SystemAPrompts.Rejudge("主诉：胸痛", c, new RetrievedExample("主诉：胸闷", "冠心病"));
        var withoutExample = SystemAPrompts.Rejudge("主诉：胸痛", c, null);
        Assert.Contains("主诉：胸闷", withExample);
        Assert.Contains("冠心病", withExample);
        Assert.DoesNotContain("主诉：胸闷", withoutExample);
        Assert.True(withExample.IndexOf("主诉：胸闷", StringComparison.Ordinal) < withExample.IndexOf("主诉：胸痛", StringComparison.Ordinal));

        var direct = SystemAPrompts.Other("x", c);
        var ner = SystemAPrompts.Other("x", c, ["高血压", "糖尿病"]);
        Assert.DoesNotContain("高血压，糖尿病", direct);
        Assert.Contains("高血压，糖尿病", ner);
        Assert.Contains("文本：abc", SystemAPrompts.Ner("abc"));
    }
}
