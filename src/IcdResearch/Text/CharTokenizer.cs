using System.Text;
using System.Text.Json;

namespace IcdResearch.Text;

/// <summary>
/// The default backbone's tokenizer: one token per Unicode code point (after NFC) for Chinese clinical text, with a
/// vocabulary built from a corpus, plus the ChatML special tokens and &lt;unk&gt;. Saved as <c>char_vocab.json</c> (tokens
/// in id order) + <c>tokenizer_config.json</c> (<c>"tokenizer_class": "CharTokenizer"</c>) inside the model folder.
/// </summary>
public sealed class CharTokenizer : ITextTokenizer
{
    public const string VocabFileName = "char_vocab.json";
    public const string ClassName = "CharTokenizer";
    public const string Unk = "<unk>";

    /// <summary>Special tokens, ids 0..3: &lt;|endoftext|&gt; (padding and document separator), &lt;|im_start|&gt;, &lt;|im_end|&gt; (eos), &lt;unk&gt;.</summary>
    public static IReadOnlyList<string> SpecialTokens { get; } = [ChatTemplate.EndOfText, ChatTemplate.ImStart, ChatTemplate.ImEnd, Unk];

    private readonly string[] _tokens;
    private readonly Dictionary<string, int> _ids;
    private readonly AddedTokens _added;

    public CharTokenizer(IReadOnlyList<string> tokens)
    {
        _tokens = tokens.ToArray();
        _ids = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < _tokens.Length; i++)
            if (!_ids.TryAdd(_tokens[i], i)) throw new InvalidDataException($"Character vocabulary lists '{_tokens[i]}' twice (ids {_ids[_tokens[i]]} and {i}).");
        foreach (var special in SpecialTokens)
            if (!_ids.ContainsKey(special)) throw new InvalidDataException($"Character vocabulary lacks the special token {special}.");
        foreach (var t in _tokens.Where(t => !SpecialTokens.Contains(t)))
            if (!IsSingleCodePoint(t)) throw new InvalidDataException($"Character vocabulary entry '{t}' is not a single character.");
        _added = new AddedTokens(SpecialTokens.Select(s => new AddedToken(s, _ids[s])));
        UnkId = _ids[Unk];
        EosId = _ids[ChatTemplate.ImEnd];
        PadId = _ids[ChatTemplate.EndOfText];
        StopIds = [EosId, PadId];
    }

    public int VocabSize => _tokens.Length;
    public int EosId { get; }
    public int PadId { get; }
    public int UnkId { get; }
    public IReadOnlyList<int> StopIds { get; }
    public IReadOnlyList<string> Tokens => _tokens;

    /// <summary>
    /// Builds the vocabulary: special tokens, then printable ASCII, space and newline (always present so codes such as
    /// I10.x00x032 and the ChatML layout are representable), then every other character seen at least
    /// <paramref name="minFrequency"/> times, most frequent first (ties in ordinal order), up to <paramref name="maxVocab"/> tokens.
    /// </summary>
    public static CharTokenizer Build(IEnumerable<string> corpus, int minFrequency = 2, int maxVocab = 6000)
    {
        if (minFrequency < 1) throw new ArgumentException("minFrequency must be at least 1.");
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var text in corpus)
            foreach (var rune in text.Normalize(NormalizationForm.FormC).EnumerateRunes())
            {
                var s = rune.ToString();
                counts[s] = counts.GetValueOrDefault(s) + 1;
            }
        var always = new[] { "\n" }.Concat(Enumerable.Range(0x20, 0x7F - 0x20).Select(c => ((char)c).ToString()));
        var tokens = SpecialTokens.Concat(always).ToList();
        if (maxVocab < tokens.Count) throw new ArgumentException($"maxVocab must be at least {tokens.Count} (special tokens + ASCII).");
        var seen = tokens.ToHashSet(StringComparer.Ordinal);
        tokens.AddRange(counts.Where(kv => kv.Value >= minFrequency && !seen.Contains(kv.Key))
            .OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal)
            .Select(kv => kv.Key).Take(maxVocab - tokens.Count));
        return new CharTokenizer(tokens);
    }

    public IReadOnlyList<int> Encode(string text)
    {
        var ids = new List<int>(text.Length);
        foreach (var (segment, token) in _added.Split(text))
        {
            if (token is not null) { ids.Add(token.Id); continue; }
            foreach (var rune in segment.Normalize(NormalizationForm.FormC).EnumerateRunes())
                ids.Add(_ids.TryGetValue(rune.ToString(), out var id) ? id : UnkId);
        }
        return ids;
    }

    /// <summary>Decodes ids; &lt;unk&gt; and ids outside the vocabulary become U+FFFD so that nothing disappears silently.</summary>
    public string Decode(IEnumerable<int> ids, bool skipSpecialTokens = true)
    {
        var sb = new StringBuilder();
        foreach (var id in ids)
        {
            if (id == UnkId || id < 0 || id >= _tokens.Length) sb.Append('\uFFFD');
            else if (!(skipSpecialTokens && _added.TryGet(id, out _))) sb.Append(_tokens[id]);
        }
        return sb.ToString();
    }

    public string ApplyChatTemplate(IReadOnlyList<ChatMessage> messages, bool addGenerationPrompt) =>
        ChatTemplate.ChatMl.Render(messages, addGenerationPrompt);

    public void Save(string directory)
    {
        Directory.CreateDirectory(directory);
        IO.AtomicFile.WriteAllText(Path.Combine(directory, VocabFileName),
            JsonSerializer.Serialize(new { tokens = _tokens }, new JsonSerializerOptions { WriteIndented = false, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }));
        new TokenizerConfig(ClassName, ChatTemplate.ImEnd, ChatTemplate.EndOfText, null, Unk, _added.All)
            .Save(directory, ChatTemplate.ChatMl.Jinja);
    }

    public static CharTokenizer Load(string directory)
    {
        var path = Path.Combine(directory, VocabFileName);
        if (!File.Exists(path)) throw new FileNotFoundException($"Character vocabulary not found: {path}", path);
        try
        {
            using var doc = JsonDocument.Parse(IO.InputText.ReadAllText(path));
            if (!doc.RootElement.TryGetProperty("tokens", out var tokens) || tokens.ValueKind != JsonValueKind.Array)
                throw new InvalidDataException("expected {\"tokens\": [...]}");
            return new CharTokenizer(tokens.EnumerateArray().Select((t, i) => t.ValueKind == JsonValueKind.String ? t.GetString()!
                : throw new InvalidDataException($"token #{i} is {t.ValueKind}, not a string")).ToList());
        }
        catch (JsonException e) { throw new Data.DataFormatException(path, $"malformed or truncated JSON: {e.Message}", inner: e); }
        catch (InvalidDataException e) { throw new Data.DataFormatException(path, e.Message, inner: e); }
    }

    private static bool IsSingleCodePoint(string s) =>
        Rune.DecodeFromUtf16(s, out _, out var used) == System.Buffers.OperationStatus.Done && used == s.Length;
}
