using System.Text.Json;
using System.Text.Json.Nodes;

namespace IcdResearch.Text;

/// <summary>
/// The parts of a Hugging Face <c>tokenizer_config.json</c> this project uses: the tokenizer class, the eos/pad/bos tokens
/// (plain strings or <c>{"content": ...}</c> objects) and <c>added_tokens_decoder</c>.
/// </summary>
public sealed record TokenizerConfig(
    string? TokenizerClass,
    string? EosToken,
    string? PadToken,
    string? BosToken,
    string? UnkToken,
    IReadOnlyList<AddedToken> AddedTokens)
{
    public const string FileName = "tokenizer_config.json";

    public static TokenizerConfig Empty { get; } = new(null, null, null, null, null, []);

    /// <summary>Reads <c>dir/tokenizer_config.json</c>; an absent file gives <see cref="Empty"/>.</summary>
    public static TokenizerConfig Load(string directory)
    {
        var path = Path.Combine(directory, FileName);
        if (!File.Exists(path)) return Empty;
        JsonNode? root;
        try { root = JsonNode.Parse(IO.InputText.ReadAllText(path)); }
        catch (JsonException e) { throw new InvalidDataException($"{path}: not valid JSON ({e.Message})."); }
        if (root is not JsonObject o) throw new InvalidDataException($"{path}: expected a JSON object.");

        var added = new List<AddedToken>();
        if (o["added_tokens_decoder"] is JsonObject decoder)
            foreach (var (key, value) in decoder)
            {
                if (!int.TryParse(key, out var id) || value?["content"]?.GetValue<string>() is not { } content)
                    throw new InvalidDataException($"{path}: added_tokens_decoder entry '{key}' needs an integer key and a content string.");
                added.Add(new AddedToken(content, id, value["special"]?.GetValue<bool>() ?? true));
            }
        return new TokenizerConfig(Str(o["tokenizer_class"]), Str(o["eos_token"]), Str(o["pad_token"]), Str(o["bos_token"]),
            Str(o["unk_token"]), added);
    }

    private static string? Str(JsonNode? node) => node switch
    {
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        JsonObject obj => obj["content"]?.GetValue<string>(),
        _ => null,
    };

    /// <summary>Writes this config (plus ChatML as <c>chat_template</c>) to <c>dir/tokenizer_config.json</c>.</summary>
    public void Save(string directory, string chatTemplateJinja)
    {
        var decoder = new JsonObject();
        foreach (var t in AddedTokens)
            decoder[t.Id.ToString()] = new JsonObject
            {
                ["content"] = t.Content, ["lstrip"] = false, ["normalized"] = false, ["rstrip"] = false,
                ["single_word"] = false, ["special"] = t.Special,
            };
        var o = new JsonObject
        {
            ["tokenizer_class"] = TokenizerClass,
            ["added_tokens_decoder"] = decoder,
            ["bos_token"] = BosToken,
            ["eos_token"] = EosToken,
            ["pad_token"] = PadToken,
            ["unk_token"] = UnkToken,
            ["chat_template"] = chatTemplateJinja,
        };
        Directory.CreateDirectory(directory);
        IO.AtomicFile.WriteAllText(Path.Combine(directory, FileName), o.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }
}
