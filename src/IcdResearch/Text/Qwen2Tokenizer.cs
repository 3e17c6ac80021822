using System.Text.Json;
using Microsoft.ML.Tokenizers;

namespace IcdResearch.Text;

/// <summary>
/// Hugging Face byte-level BPE as used by Qwen2/2.5/3 (and DeepSeek-R1-Distill-Qwen), on Microsoft.ML.Tokenizers'
/// <see cref="BpeTokenizer"/> (byte-level mapping, merges, decoding). Added tokens (&lt;|endoftext|&gt;, &lt;|im_start|&gt;,
/// &lt;|im_end|&gt;, …) are split out of the raw text first, then each plain segment is NFC-normalised, split by the
/// pre-tokenizer regex (<see cref="CodePointRegexPreTokenizer"/>) and BPE-encoded — the order HF applies.
/// </summary>
public sealed class Qwen2Tokenizer : ITextTokenizer
{
    private readonly HfTokenizerJson _files;
    private readonly TokenizerConfig _config;
    private readonly AddedTokens _added;
    private readonly HashSet<int> _vocabIds;

    public Qwen2Tokenizer(HfTokenizerJson files, TokenizerConfig config)
    {
        _files = files;
        _config = config;
        // Added tokens from tokenizer.json / added_tokens.json and from tokenizer_config.json's added_tokens_decoder.
        _added = new AddedTokens(files.AddedTokens.Concat(config.AddedTokens).DistinctBy(t => (t.Id, t.Content)));
        _vocabIds = files.Vocab.Values.ToHashSet();
        Bpe = BpeTokenizer.Create(new BpeOptions(files.Vocab)
        {
            Merges = files.Merges,
            ByteLevel = true,
            PreTokenizer = new CodePointRegexPreTokenizer(files.Pattern),
            Normalizer = files.Nfc ? NfcNormalizer.Instance : null,
        });
        VocabSize = Math.Max(files.Vocab.Values.DefaultIfEmpty(-1).Max(), _added.All.Select(t => t.Id).DefaultIfEmpty(-1).Max()) + 1;

        EosId = IdOf(config.EosToken) ?? IdOf(ChatTemplate.EndOfText)
            ?? throw new InvalidDataException("The tokenizer has no eos_token in tokenizer_config.json and no <|endoftext|> token.");
        PadId = IdOf(config.PadToken) ?? IdOf(ChatTemplate.EndOfText) ?? EosId;
        StopIds = new int?[] { EosId, IdOf(ChatTemplate.ImEnd), IdOf(ChatTemplate.EndOfText) }
            .OfType<int>().Distinct().ToList();
    }

    /// <summary>The underlying Microsoft.ML.Tokenizers BPE model (no added-token handling).</summary>
    public BpeTokenizer Bpe { get; }

    public ChatTemplate Template { get; init; } = ChatTemplate.ChatMl;

    public int VocabSize { get; }
    public int EosId { get; }
    public int PadId { get; }
    public IReadOnlyList<int> StopIds { get; }
    public IReadOnlyList<AddedToken> AddedTokens => _added.All;

    /// <summary>
    /// Loads a tokenizer folder: <c>tokenizer.json</c> when present (as Hugging Face does), else <c>vocab.json</c> +
    /// <c>merges.txt</c> with the Qwen2 pattern and NFC, added tokens from <c>added_tokens.json</c>; plus
    /// <c>tokenizer_config.json</c> (eos/pad tokens, added_tokens_decoder) in both cases.
    /// </summary>
    public static Qwen2Tokenizer FromDirectory(string directory)
    {
        if (!Directory.Exists(directory)) throw new DirectoryNotFoundException($"Tokenizer folder not found: {directory}");
        var config = TokenizerConfig.Load(directory);
        var json = Path.Combine(directory, HfTokenizerJson.FileName);
        if (File.Exists(json)) return new Qwen2Tokenizer(HfTokenizerJson.Load(json), config);

        var vocabPath = Path.Combine(directory, "vocab.json");
        var mergesPath = Path.Combine(directory, "merges.txt");
        if (!File.Exists(vocabPath) || !File.Exists(mergesPath))
            throw new FileNotFoundException($"{directory} has neither tokenizer.json nor vocab.json + merges.txt.");
        return new Qwen2Tokenizer(new HfTokenizerJson(ReadJson<Dictionary<string, int>>(vocabPath), ReadMerges(mergesPath),
            ReadAddedTokensJson(Path.Combine(directory, "added_tokens.json")), CodePointRegexPreTokenizer.Qwen2Pattern, Nfc: true), config);
    }

    public IReadOnlyList<int> Encode(string text)
    {
        var ids = new List<int>();
        foreach (var (segment, token) in _added.Split(text))
        {
            if (token is not null) ids.Add(token.Id);
            else ids.AddRange(Bpe.EncodeToIds(segment));
        }
        return ids;
    }

    /// <summary>
    /// Decodes ids; byte sequences that are not valid UTF-8 become U+FFFD (HF's errors="replace"), and ids outside the
    /// vocabulary (e.g. the padding rows of a model's embedding) decode to U+FFFD rather than being dropped.
    /// </summary>
    public string Decode(IEnumerable<int> ids, bool skipSpecialTokens = true)
    {
        var sb = new System.Text.StringBuilder();
        var run = new List<int>();
        void Flush()
        {
            if (run.Count > 0) sb.Append(Bpe.Decode(run, considerSpecialTokens: false));
            run.Clear();
        }
        foreach (var id in ids)
        {
            if (_added.TryGet(id, out var token))
            {
                Flush();
                if (!(skipSpecialTokens && token.Special)) sb.Append(token.Content);
            }
            else if (_vocabIds.Contains(id)) run.Add(id);
            else { Flush(); sb.Append('\uFFFD'); }
        }
        Flush();
        return sb.ToString();
    }

    public string ApplyChatTemplate(IReadOnlyList<ChatMessage> messages, bool addGenerationPrompt) =>
        Template.Render(messages, addGenerationPrompt);

    /// <summary>Writes tokenizer.json (loadable by HF tokenizers too) and tokenizer_config.json.</summary>
    public void Save(string directory)
    {
        Directory.CreateDirectory(directory);
        (_files with { AddedTokens = _added.All }).Save(Path.Combine(directory, HfTokenizerJson.FileName));
        var eos = Decode([EosId], skipSpecialTokens: false);
        var pad = Decode([PadId], skipSpecialTokens: false);
        new TokenizerConfig("Qwen2Tokenizer", eos, pad, _config.BosToken, null, _added.All).Save(directory, Template.Jinja);
    }

    private int? IdOf(string? token)
    {
        if (token is null) return null;
        if (_added.TryGet(token, out var t)) return t.Id;
        return _files.Vocab.TryGetValue(token, out var id) ? id : null;
    }

    private static T ReadJson<T>(string path)
    {
        try { return JsonSerializer.Deserialize<T>(IO.InputText.ReadAllText(path)) ?? throw new InvalidDataException($"{path}: empty JSON."); }
        catch (JsonException e) { throw new InvalidDataException($"{path}: {e.Message}"); }
    }

    /// <summary>merges.txt: one "a b" merge per line in priority order; a leading "#version" line is skipped.</summary>
    private static List<string> ReadMerges(string path)
    {
        var merges = new List<string>();
        var lineNo = 0;
        foreach (var line in IO.InputText.ReadAllLines(path))
        {
            lineNo++;
            if (line.Length == 0 || lineNo == 1 && line.StartsWith("#version")) continue;
            if (line.Split(' ').Length != 2) throw new InvalidDataException($"{path}:{lineNo}: a merge must be two tokens separated by one space.");
            merges.Add(line);
        }
        return merges;
    }

    private static List<AddedToken> ReadAddedTokensJson(string path) =>
        File.Exists(path) ? ReadJson<Dictionary<string, int>>(path).Select(kv => new AddedToken(kv.Key, kv.Value)).ToList() : [];
}
