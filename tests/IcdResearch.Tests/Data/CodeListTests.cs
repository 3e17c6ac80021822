using IcdResearch.Data;

namespace IcdResearch.Tests;

public class CodeListTests
{
    [Theory]
    [InlineData("I48.x01;I10.x00x032", new[] { "I48.x01", "I10.x00x032" })]
    [InlineData("I48.x01；E11.900", new[] { "I48.x01", "E11.900" })]
    [InlineData("  I48.x01 ; E11.900 ；E78.500  ", new[] { "I48.x01", "E11.900", "E78.500" })]
    [InlineData("E11.900", new[] { "E11.900" })]
    [InlineData("", new string[0])]
    [InlineData("   ", new string[0])]
    public void SplitsOnBothSeparatorsAndTrims(string text, string[] expected) =>
        Assert.Equal(expected, CodeList.Parse(text));

    [Theory]
    [InlineData("I48.x01;;E11.900")]
    [InlineData("I48.x01;")]
    [InlineData(";I48.x01")]
    [InlineData("I48.x01; ；E11.900")]
    [InlineData("I48 x01")]
    public void EmptyItemsOrInnerWhitespaceAreErrors(string text) =>
        Assert.Throws<FormatException>(() => CodeList.Parse(text));

    [Fact]
    public void FormatJoinsWithSemicolonAndRoundTrips()
    {
        var codes = new[] { "I48.x01", "E11.900" };
        Assert.Equal("I48.x01;E11.900", CodeList.Format(codes));
        Assert.Equal(codes, CodeList.Parse(CodeList.Format(codes)));
    }
}
