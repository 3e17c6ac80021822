using IcdResearch.Ner;

namespace IcdResearch.Tests;

public class BracketFormatTests
{
    [Fact]
    public void WrapThenParseRoundTrips()
    {
        const string text = "既往高血压病10年，2型糖尿病5年。";
        var spans = new List<EntitySpan> { new(2, 6), new(10, 15) };
        var wrapped = BracketFormat.Wrap(text, spans);
        Assert.Equal("既往[高血压病]10年，[2型糖尿病]5年。", wrapped);
        var (plain, parsed) = BracketFormat.Parse(wrapped);
        Assert.Equal(text, plain);
        Assert.Equal(spans, parsed);
        Assert.Equal(["高血压病", "2型糖尿病"], BracketFormat.Entities(wrapped));
    }

    [Fact]
    public void ParseToleratesMalformedMarkup()
    {
        // unmatched ']' dropped, unclosed '[' dropped, nested '[' restarts the entity, empty entity ignored
        var (plain, spans) = BracketFormat.Parse("a]b[[cd]e[]f[gh");
        Assert.Equal("abcdefgh", plain);
        Assert.Equal([new EntitySpan(2, 4)], spans);
    }

    [Fact]
    public void WrapRejectsOverlapsAndEscapeRemovesMarkupCharacters()
    {
        Assert.Throws<ArgumentException>(() => BracketFormat.Wrap("abcdef", [new(0, 3), new(2, 4)]));
        var escaped = BracketFormat.Escape("房性期前收缩[房性早搏]");
        Assert.DoesNotContain('[', escaped);
        Assert.Empty(BracketFormat.Parse(escaped).Spans);
    }
}
