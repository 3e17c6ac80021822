using IcdResearch.Text;

namespace IcdResearch.Tests;

/// <summary>
/// Qwen2's split regex must behave as under HF's Oniguruma engine (code points, backtracking): these expectations are
/// derived by hand from the pattern's alternatives, in order.
/// </summary>
public class CodePointRegexPreTokenizerTests
{
    static readonly CodePointRegexPreTokenizer Qwen2 = new(CodePointRegexPreTokenizer.Qwen2Pattern);

    static string[] Pieces(string text) => Qwen2.PreTokenize(text).Select(p => text.Substring(p.Offset, p.Length)).ToArray();

    [Theory]
    // \s+(?!\S) backtracks so the last space stays with the following word.
    [InlineData("a  b", new[] { "a", " ", " b" })]
    [InlineData("   x", new[] { "  ", " x" })]
    [InlineData("x   ", new[] { "x", "   " })]
    // \p{N} takes one digit at a time.
    [InlineData("12345", new[] { "1", "2", "3", "4", "5" })]
    [InlineData(" 33", new[] { " ", "3", "3" })]
    // Newline runs: \s*[\r\n]+ keeps leading blanks with the newlines.
    [InlineData("x \n\n y", new[] { "x", " \n\n", " y" })]
    [InlineData("\t\n", new[] { "\t\n" })]
    // Punctuation runs take an optional leading space and trailing newlines.
    [InlineData(" !!!\n\nok", new[] { " !!!\n\n", "ok" })]
    // Contractions are case-insensitive.
    [InlineData("I'M we'Ve", new[] { "I", "'M", " we", "'Ve" })]
    // One non-letter, non-digit, non-newline char may lead a letter run (e.g. Chinese punctuation before Han).
    [InlineData("，我想", new[] { "，我想" })]
    [InlineData("1天", new[] { "1", "天" })]
    public void SplitsLikeTheReferenceEngine(string text, string[] expected) => Assert.Equal(expected, Pieces(text));

    [Fact]
    public void AstralLettersAreLettersAndAnEmojiCanLeadAWord()
    {
        // 𠀀 (U+20000) is \p{Lo}; as UTF-16 surrogates .NET's \p{L} would not match it.
        Assert.Equal(new[] { "𠀀𠀁abc" }, Pieces("𠀀𠀁abc"));
        // An emoji is one code point of [^\r\n\p{L}\p{N}], so it joins the letters after it (one optional char).
        Assert.Equal(new[] { "😁abc" }, Pieces("😁abc"));
        Assert.Equal(new[] { "😁😁", "abc" }, Pieces("😁😁abc"));
        // 𝟙 (U+1D7D9, math double-struck digit) is \p{Nd}: one piece per digit.
        Assert.Equal(new[] { " ", "𝟙", "𝟚" }, Pieces(" 𝟙𝟚"));
    }

    [Fact]
    public void PiecesCoverTheTextExactlyOnce()
    {
        var text = "  病人 12岁，\n\n主诉：发热3天😁 I'm ok\t\t";
        var pieces = Qwen2.PreTokenize(text).ToList();
        Assert.Equal(text, string.Concat(pieces.Select(p => text.Substring(p.Offset, p.Length))));
        Assert.All(pieces, p => Assert.True(p.Length > 0));
    }
}
