using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.ML.Tokenizers;

namespace IcdResearch.Text;

/// <summary>
/// Splits text into pre-tokens with a Hugging Face split regex (e.g. Qwen2's), with the regex seeing one character per
/// Unicode code point — as the Oniguruma engine of HF <c>tokenizers</c> does.
/// </summary>
/// <remarks>
/// Why not <see cref="RegexPreTokenizer"/> directly: .NET regexes run over UTF-16 code units, so a code point outside the
/// BMP (emoji, CJK Extension B, math letters) is two surrogate chars of category Cs: <c>\p{L}</c> does not match 𠀀 and
/// <c>[^\r\n\p{L}\p{N}]?</c> matches only half of an emoji. Before matching we therefore replace every astral code point by a
/// BMP stand-in of the same Unicode general category (one char), run the regex, and map the offsets back.
/// Patterns of the Qwen2/Llama-3/GPT-2 kind only test general categories, <c>\s</c> and ASCII literals, so this is exact.
/// </remarks>
public sealed class CodePointRegexPreTokenizer : PreTokenizer
{
    /// <summary>Qwen2/2.5/3 pre-tokenizer split pattern (tokenizer.json, pre_tokenizer Split, behaviour Isolated).</summary>
    public const string Qwen2Pattern =
        @"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";

    /// <summary>GPT-2 pattern, used by a ByteLevel pre-tokenizer with use_regex=true.</summary>
    public const string Gpt2Pattern = @"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+";

    private static readonly Lazy<char[]> StandIns = new(BuildStandIns);
    private readonly Regex _regex;

    public CodePointRegexPreTokenizer(string pattern)
    {
        Pattern = pattern;
        _regex = new Regex(pattern, RegexOptions.Compiled | RegexOptions.CultureInvariant);
    }

    public string Pattern { get; }

    public override IEnumerable<(int Offset, int Length)> PreTokenize(string text) => PreTokenize(text.AsSpan());

    public override IEnumerable<(int Offset, int Length)> PreTokenize(ReadOnlySpan<char> text)
    {
        var pieces = new List<(int Offset, int Length)>();
        if (text.IsEmpty) return pieces;
        var (view, starts) = CodePointView(text);
        // The split behaviour is "Isolated": matches are pieces and so is any unmatched gap between them.
        var end = 0;
        foreach (var m in _regex.EnumerateMatches(view))
        {
            if (m.Length == 0) continue;
            if (m.Index > end) pieces.Add(Piece(starts, end, m.Index));
            pieces.Add(Piece(starts, m.Index, m.Index + m.Length));
            end = m.Index + m.Length;
        }
        if (end < view.Length) pieces.Add(Piece(starts, end, view.Length));
        return pieces;
    }

    private static (int Offset, int Length) Piece(int[]? starts, int from, int to) =>
        starts is null ? (from, to - from) : (starts[from], starts[to] - starts[from]);

    /// <summary>The text with one char per code point, and (when they differ) the UTF-16 start of each view char.</summary>
    private static (string View, int[]? Starts) CodePointView(ReadOnlySpan<char> text)
    {
        var hasPair = false;
        for (var i = 0; i + 1 < text.Length && !hasPair; i++)
            hasPair = char.IsHighSurrogate(text[i]) && char.IsLowSurrogate(text[i + 1]);
        if (!hasPair) return (text.ToString(), null);

        var view = new StringBuilder(text.Length);
        var starts = new List<int>(text.Length + 1);
        for (var i = 0; i < text.Length;)
        {
            starts.Add(i);
            if (Rune.DecodeFromUtf16(text[i..], out var rune, out var used) == System.Buffers.OperationStatus.Done && !rune.IsBmp)
                view.Append(StandIns.Value[(int)Rune.GetUnicodeCategory(rune)]);
            else
                view.Append(text[i]); // BMP char or a lone surrogate: kept as is
            i += used;
        }
        starts.Add(text.Length);
        return (view.ToString(), starts.ToArray());
    }

    /// <summary>
    /// For each general category, a non-whitespace BMP char of that category from U+0100 on (private use if none), so the
    /// case-insensitive ASCII contractions of the pattern can never match a stand-in.
    /// </summary>
    private static char[] BuildStandIns()
    {
        var table = Enumerable.Repeat('\uE000', 32).ToArray();
        var found = new bool[32];
        for (var c = 0x100; c < 0xD800; c++)
        {
            var ch = (char)c;
            var cat = (int)char.GetUnicodeCategory(ch);
            if (found[cat] || char.IsWhiteSpace(ch)) continue;
            table[cat] = ch;
            found[cat] = true;
        }
        return table;
    }
}
