using System.Text.Json;
using System.Text.Json.Nodes;

namespace IcdResearch.Text;

/// <summary>
/// Reads and writes the byte-level BPE subset of Hugging Face's <c>tokenizer.json</c>: model BPE (vocab, merges as
/// "a b" strings or [a, b] pairs), added_tokens, an NFC (or absent) normalizer and a Split-regex + ByteLevel pre-tokenizer.
/// Anything else (WordPiece/Unigram models, byte_fallback, ignore_merges, other normalizers) is rejected with a clear error
/// rather than tokenized differently from the reference.
/// </summary>
public sealed record HfTokenizerJson(
    IReadOnlyDictionary<string, int> Vocab,
    IReadOnlyList<string> Merges,
    IReadOnlyList<AddedToken> AddedTokens,
    string Pattern,
    bool Nfc)
{
    public const string FileName = "tokenizer.json";

    public static HfTokenizerJson Load(string path)
    {
        JsonNode? root;
        try { root = JsonNode.Parse(IO.InputText.ReadAllText(path)); }
        catch (JsonException e) { throw new InvalidDataException($"{path}: not valid JSON ({e.Message})."); }
        if (root is not JsonObject o) throw new InvalidDataException($"{path}: expected a JSON object.");
        string Fail(string what) => throw new InvalidDataException($"{path}: {what}");

        if (o["model"] is not JsonObject m || m["type"]?.GetValue<string>() != "BPE")
            throw new InvalidDataException($"{path}: model.type must be \"BPE\" (found {o["model"]?["type"]?.ToJsonString() ?? "none"}).");
        if (m["byte_fallback"]?.GetValue<bool>() == true) Fail("model.byte_fallback=true (SentencePiece-style BPE) is not supported.");
        if (m["ignore_merges"]?.GetValue<bool>() == true) Fail("model.ignore_merges=true (Llama-3 style) is not supported.");
        if (m["vocab"] is not JsonObject vocabNode) throw new InvalidDataException($"{path}: model.vocab is missing.");
        var vocab = vocabNode.ToDictionary(kv => kv.Key, kv => kv.Value!.GetValue<int>(), StringComparer.Ordinal);
        var merges = (m["merges"] as JsonArray ?? throw new InvalidDataException($"{path}: model.merges is missing."))
            .Select(n => n switch
            {
                JsonArray pair when pair.Count == 2 => $"{pair[0]!.GetValue<string>()} {pair[1]!.GetValue<string>()}",
                JsonValue v when v.TryGetValue<string>(out var s) => s,
                _ => throw new InvalidDataException($"{path}: a merge must be \"a b\" or [\"a\", \"b\"], found {n?.ToJsonString()}."),
            }).ToList();

        var added = (o["added_tokens"] as JsonArray ?? [])
            .Select(n => new AddedToken(n!["content"]!.GetValue<string>(), n["id"]!.GetValue<int>(), n["special"]?.GetValue<bool>() ?? true))
            .ToList();

        var normalizer = o["normalizer"]?["type"]?.GetValue<string>();
        if (o["normalizer"] is not null && normalizer != "NFC")
            Fail($"normalizer {o["normalizer"]!.ToJsonString()} is not supported (only NFC or null).");
        var nfc = normalizer == "NFC";
        return new HfTokenizerJson(vocab, merges, added, ReadPattern(o["pre_tokenizer"], path), nfc);
    }

    /// <summary>The split regex: a Split step's pattern, or GPT-2's pattern for a ByteLevel step with use_regex=true.</summary>
    private static string ReadPattern(JsonNode? pre, string path)
    {
        var steps = pre?["type"]?.GetValue<string>() == "Sequence" ? ((JsonArray)pre["pretokenizers"]!).ToList() : [pre];
        string? pattern = null;
        var byteLevel = false;
        foreach (var step in steps)
        {
            switch (step?["type"]?.GetValue<string>())
            {
                case "Split" when pattern is null && IsIsolatedRegexSplit(step):
                    pattern = step["pattern"]!["Regex"]!.GetValue<string>();
                    break;
                case "ByteLevel":
                    byteLevel = true;
                    if (step["add_prefix_space"]?.GetValue<bool>() == true)
                        throw new InvalidDataException($"{path}: ByteLevel add_prefix_space=true is not supported.");
                    if (step["use_regex"]?.GetValue<bool>() != false)
                        pattern = pattern is null ? CodePointRegexPreTokenizer.Gpt2Pattern
                            : throw new InvalidDataException($"{path}: a Split regex followed by ByteLevel use_regex=true is not supported.");
                    break;
                default:
                    throw new InvalidDataException($"{path}: pre_tokenizer step {step?.ToJsonString()} is not supported.");
            }
        }
        if (!byteLevel || pattern is null)
            throw new InvalidDataException($"{path}: expected a byte-level pre-tokenizer (Split regex + ByteLevel), found {pre?.ToJsonString() ?? "none"}.");
        return pattern;
    }

    private static bool IsIsolatedRegexSplit(JsonNode step) =>
        step["pattern"]?["Regex"] is not null && step["behavior"]?.GetValue<string>() == "Isolated" && step["invert"]?.GetValue<bool>() != true;

    /// <summary>Writes a tokenizer.json that Hugging Face <c>tokenizers</c> loads as the same tokenizer.</summary>
    public void Save(string path)
    {
        var vocab = new JsonObject();
        foreach (var (token, id) in Vocab.OrderBy(kv => kv.Value)) vocab[token] = id;
        var byteLevel = new JsonObject { ["type"] = "ByteLevel", ["add_prefix_space"] = false, ["trim_offsets"] = false, ["use_regex"] = false };
        var root = new JsonObject
        {
            ["version"] = "1.0",
            ["truncation"] = null,
            ["padding"] = null,
            ["added_tokens"] = new JsonArray(AddedTokens.Select(t => (JsonNode)new JsonObject
            {
                ["id"] = t.Id, ["content"] = t.Content, ["single_word"] = false, ["lstrip"] = false, ["rstrip"] = false,
                ["normalized"] = false, ["special"] = t.Special,
            }).ToArray()),
            ["normalizer"] = Nfc ? new JsonObject { ["type"] = "NFC" } : null,
            ["pre_tokenizer"] = new JsonObject
            {
                ["type"] = "Sequence",
                ["pretokenizers"] = new JsonArray(
                    new JsonObject { ["type"] = "Split", ["pattern"] = new JsonObject { ["Regex"] = Pattern }, ["behavior"] = "Isolated", ["invert"] = false },
                    byteLevel.DeepClone()),
            },
            ["post_processor"] = null,
            ["decoder"] = byteLevel.DeepClone(),
            ["model"] = new JsonObject
            {
                ["type"] = "BPE", ["dropout"] = null, ["unk_token"] = null, ["continuing_subword_prefix"] = "",
                ["end_of_word_suffix"] = "", ["fuse_unk"] = false, ["byte_fallback"] = false, ["ignore_merges"] = false,
                ["vocab"] = vocab,
                ["merges"] = new JsonArray(Merges.Select(x => (JsonNode)JsonValue.Create(x)!).ToArray()),
            },
        };
        IO.AtomicFile.WriteAllText(path, root.ToJsonString(new JsonSerializerOptions { WriteIndented = false }));
    }
}
