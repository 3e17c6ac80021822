using IcdResearch.Text;

namespace IcdResearch.Tests;

public class CharTokenizerTests
{
    static readonly string[] Corpus = ["患者主诉发热三天。", "患者既往高血压病史。", "发热，咳嗽。", "罕"];

    [Fact]
    public void VocabularyKeepsFrequentCharactersInFrequencyOrder()
    {
        var tok = CharTokenizer.Build(Corpus, minFrequency: 2);
        var ids = tok.Tokens.Select((t, i) => (t, i)).ToDictionary(x => x.t, x => x.i);
        Assert.Equal(CharTokenizer.SpecialTokens, tok.Tokens.Take(4));
        Assert.Contains("患", ids.Keys);       // 2 occurrences
        Assert.DoesNotContain("罕", ids.Keys); // 1 occurrence < minFrequency
        Assert.True(ids["。"] < ids["患"], "。 (3×) must come before 患 (2×)");
        Assert.Contains("I", ids.Keys);        // ASCII is always present (ICD codes)
        Assert.Contains("\n", ids.Keys);
    }

    [Fact]
    public void EncodeDecodeRoundTripsAndUnknownsAreVisible()
    {
        var tok = CharTokenizer.Build(Corpus, minFrequency: 1);
        var text = "患者发热 I10.x00x032\n<|im_end|>";
        var ids = tok.Encode(text);
        Assert.Equal(text.Length - "<|im_end|>".Length + 1, ids.Count);
        Assert.Equal(tok.EosId, ids[^1]);
        Assert.Equal(text, tok.Decode(ids, skipSpecialTokens: false));
        Assert.Equal("患者发热 I10.x00x032\n", tok.Decode(ids));
        var unknown = tok.Encode("癌𠀀");   // neither char is in the vocabulary; 𠀀 is one code point, one token
        Assert.Equal(new[] { tok.UnkId, tok.UnkId }, unknown);
        Assert.Equal("\uFFFD\uFFFD", tok.Decode(unknown));
    }

    [Fact]
    public void MaxVocabCapsTheVocabulary()
    {
        var tok = CharTokenizer.Build(Corpus, minFrequency: 1, maxVocab: 4 + 96 + 2);
        Assert.Equal(102, tok.VocabSize);
        Assert.Contains("。", tok.Tokens);        // the most frequent non-ASCII character (3×) survives,
        Assert.Contains("发", tok.Tokens);        // then the first in ordinal order of the 2× ties (发 < 患 < 者 < 热)
        Assert.DoesNotContain("患", tok.Tokens);
    }

    [Fact]
    public void SavedFolderLoadsBackThroughTheLoader()
    {
        var tok = CharTokenizer.Build(Corpus, minFrequency: 1);
        var dir = Directory.CreateTempSubdirectory("chartok").FullName;
        try
        {
            tok.Save(dir);
            Assert.True(File.Exists(Path.Combine(dir, CharTokenizer.VocabFileName)));
            Assert.Equal(CharTokenizer.ClassName, TokenizerConfig.Load(dir).TokenizerClass);
            var copy = Assert.IsType<CharTokenizer>(TokenizerLoader.FromDirectory(dir));
            Assert.Equal(tok.Tokens, copy.Tokens);
            Assert.Equal((tok.EosId, tok.PadId), (copy.EosId, copy.PadId));
            Assert.Equal(tok.StopIds, copy.StopIds);
            var text = "患者既往高血压病史，咳嗽。";
            Assert.Equal(tok.Encode(text), copy.Encode(text));
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void CorruptVocabularyIsRejected()
    {
        Assert.Throws<InvalidDataException>(() => new CharTokenizer(["a", "b"]));                            // no special tokens
        Assert.Throws<InvalidDataException>(() => new CharTokenizer([.. CharTokenizer.SpecialTokens, "ab"])); // not one character
        Assert.Throws<InvalidDataException>(() => new CharTokenizer([.. CharTokenizer.SpecialTokens, "a", "a"]));
    }
}
