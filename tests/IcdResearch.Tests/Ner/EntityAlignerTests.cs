using IcdResearch.Ner;

namespace IcdResearch.Tests;

public class EntityAlignerTests
{
    [Fact]
    public void LongestThenLeftmostWithoutOverlap()
    {
        var aligner = new EntityAligner();
        var lexicon = aligner.Lexicon(["糖尿病", "2型糖尿病", "糖尿病肾病", "高血压", " 高血压病 ", "x"]);
        Assert.DoesNotContain("x", lexicon);
        const string text = "2型糖尿病肾病，高血压病，糖尿病";
        var spans = aligner.Align(text, lexicon);
        Assert.Equal(["2型糖尿病", "高血压病", "糖尿病"], spans.Select(s => s.Of(text)));
        for (var i = 1; i < spans.Count; i++) Assert.False(spans[i].Overlaps(spans[i - 1]));
    }

    [Fact]
    public void SegmentsNeverCutEntitiesAndKeepRelativeSpans()
    {
        const string text = "患者有高血压病。伴冠状动脉粥样硬化性心脏病多年。无糖尿病。";
        var spans = new EntityAligner().Align(text, new HashSet<string> { "高血压病", "冠状动脉粥样硬化性心脏病", "糖尿病" });
        var pieces = NerSegment.Split(text, spans, maxChars: 12);
        Assert.Equal(text, string.Concat(pieces.Select(p => p.Text)));
        Assert.Equal(spans.Select(s => s.Of(text)), pieces.SelectMany(p => p.Spans.Select(s => s.Of(p.Text))));
        Assert.All(pieces, p => Assert.True(p.Text.Length <= 12 || p.Spans.Any(s => s.Length > 4)));
    }
}
