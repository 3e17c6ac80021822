using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using IcdResearch.Cli;
using IcdResearch.Text;

namespace IcdResearch.Tests;

/// <summary>The real Qwen2 vocabulary is loaded once (a few seconds) for all tests of this class.</summary>
public sealed class RealQwen2Tokenizer
{
    readonly Lazy<Qwen2Tokenizer> _tok = new(() => Qwen2Tokenizer.FromDirectory(TestData.Path("qwen2-tokenizer")));
    public Qwen2Tokenizer Tokenizer => _tok.Value;
}

public class Qwen2TokenizerTests(RealQwen2Tokenizer real) : IClassFixture<RealQwen2Tokenizer>
{
    /// <summary>Strings the hidden reference set is about: whitespace runs, digits, emoji (ZWJ, skin tones, flags), CJK, Cyrillic, Khmer.</summary>
    public static readonly string[] Tricky =
    [
        "", " ", "\n", "  \n\n\t \r\n", "\u00a0\u3000x\u2028y", "1234567890 ١٢٣ ①②", "3.14159 -0.5e-10",
        "👨‍👩‍👧‍👦 👍🏽 🇨🇳 ❤️‍🔥", "𠀀𠀁𪚥 𝐀𝐁𝟙", "患者，男，65岁。主诉：反复胸闷3年，加重2天。",
        "Пациент жалуется на боль", "កាន់តែពិសេសអាច", "I10.x00x032 高血压病3级（极高危）", "'s 'T 'Re x'll X'D",
        "<|im_start|>user\n你好<|im_end|>\n", "tab\tend\t", "a\r\nb\rc",
    ];

    [RequiresDataFact]
    public void ReproducesTheHuggingFaceReferenceTokenizationsExactly()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(TestData.Path("qwen2-tokenizer", "reference-tokenizations.json")));
        var cases = doc.RootElement.EnumerateArray().ToList();
        Assert.NotEmpty(cases);
        foreach (var c in cases)
        {
            var text = c.GetProperty("text").GetString()!;
            var expected = c.GetProperty("ids").EnumerateArray().Select(x => x.GetInt32()).ToArray();
            Assert.True(expected.SequenceEqual(real.Tokenizer.Encode(text)),
                $"{JsonSerializer.Serialize(text)}: expected [{string.Join(",", expected)}], got [{string.Join(",", real.Tokenizer.Encode(text))}]");
        }
    }

    [RequiresDataFact]
    public void DecodeInvertsEncodeOnTrickyStrings()
    {
        foreach (var text in Tricky)
            Assert.Equal(text, real.Tokenizer.Decode(real.Tokenizer.Encode(text), skipSpecialTokens: false));
    }

    [RequiresDataFact]
    public void SpecialTokensAndConfigComeFromTheFolder()
    {
        var tok = real.Tokenizer;
        var im = tok.Encode("<|im_start|>user\nhi<|im_end|><|endoftext|>");
        Assert.Equal(151644, im[0]);
        Assert.Equal(new[] { 151645, 151643 }, im.TakeLast(2));
        Assert.Equal(151645, tok.EosId); // tokenizer_config.json eos_token
        Assert.Equal(151643, tok.PadId);
        Assert.Equal(151646, tok.VocabSize);
        Assert.Equal("user\nhi", tok.Decode(im));
        // NFC: a decomposed é encodes like the composed one.
        Assert.Equal(tok.Encode("caf\u00e9"), tok.Encode("cafe\u0301"));
    }

    [RequiresDataFact]
    public void InvalidUtf8AndUnknownIdsBecomeReplacementCharacters()
    {
        var tok = real.Tokenizer;
        var llama = tok.Encode(" 🦙");
        Assert.True(llama.Count > 1, "the emoji should need several byte tokens");
        Assert.Equal("\uFFFD", tok.Decode(llama.Take(1)).Trim());
        Assert.Equal("x\uFFFD", tok.Decode([.. tok.Encode("x"), 151900]));
    }

    [RequiresDataFact]
    public void SaveWritesATokenizerJsonThatLoadsBackIdentically()
    {
        var dir = Directory.CreateTempSubdirectory("qwen2tok").FullName;
        try
        {
            real.Tokenizer.Save(dir);
            var copy = TokenizerLoader.FromDirectory(dir);
            Assert.IsType<Qwen2Tokenizer>(copy);
            foreach (var text in Tricky) Assert.Equal(real.Tokenizer.Encode(text), copy.Encode(text));
            Assert.Equal((real.Tokenizer.EosId, real.Tokenizer.PadId, real.Tokenizer.VocabSize), (copy.EosId, copy.PadId, copy.VocabSize));
        }
        finally { Directory.Delete(dir, true); }
    }

    [RequiresDataFact]
    public void TokenizeCommandPrintsACompactJsonArray()
    {
        var output = new StringWriter();
        var text = "Hello, world! 你好";
        var rc = Program.BuildRoot().Parse(["tokenize", "--tokenizer", TestData.Path("qwen2-tokenizer"), "--text", text])
            .Invoke(new System.CommandLine.InvocationConfiguration { Output = output });
        Assert.Equal(0, rc);
        Assert.Equal("[" + string.Join(",", real.Tokenizer.Encode(text)) + "]", output.ToString().Trim());
    }

    // ---- a tiny byte-level BPE built from scratch, loaded through tokenizer.json ----

    /// <summary>GPT-2's reversible byte → printable char table used by byte-level BPE.</summary>
    static string ByteChar(int b)
    {
        var printable = Enumerable.Range('!', '~' - '!' + 1).Concat(Enumerable.Range('¡', '¬' - '¡' + 1)).Concat(Enumerable.Range('®', 'ÿ' - '®' + 1)).ToHashSet();
        if (printable.Contains(b)) return ((char)b).ToString();
        var n = Enumerable.Range(0, b).Count(x => !printable.Contains(x));
        return ((char)(256 + n)).ToString();
    }

    static string TinyTokenizerJson(bool pairMerges)
    {
        var vocab = new JsonObject();
        for (var b = 0; b < 256; b++) vocab[ByteChar(b)] = b;
        string[] merged = ["Ġt", "he", "Ġthe", "ĠĠ"];
        for (var i = 0; i < merged.Length; i++) vocab[merged[i]] = 256 + i;
        string[][] merges = [["Ġ", "t"], ["h", "e"], ["Ġt", "he"], ["Ġ", "Ġ"]];
        var root = new JsonObject
        {
            ["added_tokens"] = new JsonArray(
                new JsonObject { ["id"] = 260, ["content"] = "<|endoftext|>", ["special"] = true },
                new JsonObject { ["id"] = 261, ["content"] = "<|im_start|>", ["special"] = true },
                new JsonObject { ["id"] = 262, ["content"] = "<|im_end|>", ["special"] = true }),
            ["normalizer"] = new JsonObject { ["type"] = "NFC" },
            ["pre_tokenizer"] = new JsonObject
            {
                ["type"] = "Sequence",
                ["pretokenizers"] = new JsonArray(
                    new JsonObject { ["type"] = "Split", ["pattern"] = new JsonObject { ["Regex"] = CodePointRegexPreTokenizer.Qwen2Pattern }, ["behavior"] = "Isolated", ["invert"] = false },
                    new JsonObject { ["type"] = "ByteLevel", ["add_prefix_space"] = false, ["use_regex"] = false }),
            },
            ["decoder"] = new JsonObject { ["type"] = "ByteLevel" },
            ["model"] = new JsonObject
            {
                ["type"] = "BPE",
                ["vocab"] = vocab,
                ["merges"] = new JsonArray(merges.Select(m => pairMerges ? (JsonNode)new JsonArray(m[0], m[1]) : JsonValue.Create($"{m[0]} {m[1]}")).ToArray()),
            },
        };
        return root.ToJsonString();
    }

    static Qwen2Tokenizer Tiny(bool pairMerges, out string dir)
    {
        dir = Directory.CreateTempSubdirectory("tinytok").FullName;
        File.WriteAllText(Path.Combine(dir, "tokenizer.json"), TinyTokenizerJson(pairMerges));
        return Assert.IsType<Qwen2Tokenizer>(TokenizerLoader.FromDirectory(dir));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TokenizerJsonLoaderAppliesMergesByRankWithinPreTokens(bool pairMerges)
    {
        var tok = Tiny(pairMerges, out var dir);
        try
        {
            int B(char c) => c; // single-byte ids equal the byte value in this vocabulary
            Assert.Equal(new[] { 258 }, tok.Encode(" the"));
            Assert.Equal(new[] { B('t'), 257 }, tok.Encode("the"));                  // "h e" applies, "Ġ t" cannot
            Assert.Equal(new[] { 259, B(' '), B('x') }, tok.Encode("   x"));        // pre-tokens "  " and " x"
            Assert.Equal(new[] { 260, B('t'), 257, 262 }, tok.Encode("<|endoftext|>the<|im_end|>"));
            Assert.Equal(new[] { 0xC3, 0xA9 }, tok.Encode("e\u0301"));               // NFC é, then its two UTF-8 bytes
            Assert.Equal(263, tok.VocabSize);
            Assert.Equal(260, tok.EosId);                                            // no tokenizer_config.json: <|endoftext|>
            Assert.Equal(new[] { 260, 262 }, tok.StopIds.Order());
            foreach (var text in Tricky) Assert.Equal(text.Normalize(NormalizationForm.FormC), tok.Decode(tok.Encode(text), skipSpecialTokens: false));
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void SavedTinyTokenizerLoadsBackWithTheSameIds()
    {
        var tok = Tiny(pairMerges: true, out var dir);
        var copyDir = dir + "-copy";
        try
        {
            tok.Save(copyDir);
            var copy = TokenizerLoader.FromDirectory(copyDir);
            foreach (var text in Tricky.Append("the the   the")) Assert.Equal(tok.Encode(text), copy.Encode(text));
        }
        finally { Directory.Delete(dir, true); if (Directory.Exists(copyDir)) Directory.Delete(copyDir, true); }
    }

    [Fact]
    public void UnsupportedTokenizerJsonGivesAClearError()
    {
        var dir = Directory.CreateTempSubdirectory("badtok").FullName;
        try
        {
            File.WriteAllText(Path.Combine(dir, "tokenizer.json"), """{"model": {"type": "WordPiece", "vocab": {}}}""");
            var e = Assert.Throws<InvalidDataException>(() => TokenizerLoader.FromDirectory(dir));
            Assert.Contains("BPE", e.Message);
        }
        finally { Directory.Delete(dir, true); }
    }
}
