using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace IcdResearch.Tuning;

/// <summary>
/// What a training run is made of — its settings (by name), a hash of its data and the identity of its base model —
/// recorded next to its checkpoints (<see cref="FileName"/>), so that resuming compares the run asked for with the run
/// that wrote the checkpoint and refuses a mismatch, saying what differs (a resumed run with another --lr or other data
/// would silently be neither run). Settings that only say when to stop or save (e.g. MaxSteps) are left out by the caller.
/// </summary>
public sealed record RunFingerprint
{
    public const string FileName = "run-fingerprint.json";

    [JsonPropertyName("settings")] public required SortedDictionary<string, string> Settings { get; init; }
    [JsonPropertyName("data")] public required string Data { get; init; }
    [JsonPropertyName("base_model")] public required string BaseModel { get; init; }

    static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>
    /// A fingerprint from <paramref name="settings"/> (serialised; nested objects flattened to "Lora.Rank"), leaving
    /// out the properties named in <paramref name="exclude"/>, the data hash and the base model identity.
    /// </summary>
    public static RunFingerprint Create(object settings, string dataHash, string? baseModel, params string[] exclude)
    {
        var flat = new SortedDictionary<string, string>(StringComparer.Ordinal);
        void Flatten(string prefix, JsonNode? node)
        {
            if (node is JsonObject o) foreach (var (k, v) in o) Flatten(prefix.Length == 0 ? k : $"{prefix}.{k}", v);
            else if (!exclude.Contains(prefix)) flat[prefix] = node?.ToJsonString(Json) ?? "null";
        }
        Flatten("", JsonSerializer.SerializeToNode(settings, settings.GetType(), Json));
        return new RunFingerprint { Settings = flat, Data = dataHash, BaseModel = baseModel is null ? "" : Hash(baseModel) };
    }

    /// <summary>SHA-256 (hex) of a sequence of token-id arrays, length-prefixed so that ([1,2],[3]) ≠ ([1],[2,3]).</summary>
    public static string HashTokens(IEnumerable<IReadOnlyList<int>> sequences)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var s in sequences)
        {
            sha.AppendData(BitConverter.GetBytes(s.Count));
            foreach (var id in s) sha.AppendData(BitConverter.GetBytes(id));
        }
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }

    /// <summary>
    /// A base model's identity for resuming: <see cref="TrainingFingerprint.ModelIdentity"/> (config, recorded
    /// fingerprint, weight file sizes) plus a hash of the first and last MiB of every weight file — so a model retrained
    /// with the same architecture (same sizes) is told apart without reading gigabytes.
    /// </summary>
    public static string BaseModelIdentity(string directory)
    {
        var sb = new StringBuilder(TrainingFingerprint.ModelIdentity(directory));
        if (Directory.Exists(directory))
            foreach (var file in Directory.EnumerateFiles(directory, "*.safetensors").Order(StringComparer.Ordinal))
            {
                using var stream = File.OpenRead(file);
                const int window = 1 << 20;
                var head = new byte[(int)Math.Min(window, stream.Length)];
                stream.ReadExactly(head);
                var tail = new byte[(int)Math.Min(window, stream.Length)];
                stream.Position = stream.Length - tail.Length;
                stream.ReadExactly(tail);
                sb.Append('\n').Append(Path.GetFileName(file)).Append(' ').Append(Convert.ToHexStringLower(SHA256.HashData([.. head, .. tail])));
            }
        return sb.ToString();
    }

    static string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    /// <summary>What differs from <paramref name="recorded"/> (empty when nothing does), in words: "--lr-like setting: old → new", "the training data", "the base model".</summary>
    public IReadOnlyList<string> Differences(RunFingerprint recorded)
    {
        var diffs = new List<string>();
        foreach (var key in Settings.Keys.Union(recorded.Settings.Keys).Order(StringComparer.Ordinal))
        {
            var (was, now) = (recorded.Settings.GetValueOrDefault(key, "(absent)"), Settings.GetValueOrDefault(key, "(absent)"));
            if (was != now) diffs.Add($"{key} {IcdResearch.Data.Excerpt.Of(was, 40)} → {IcdResearch.Data.Excerpt.Of(now, 40)}");
        }
        if (Data != recorded.Data) diffs.Add("the training data");
        if (BaseModel != recorded.BaseModel) diffs.Add("the base model");
        return diffs;
    }

    public static RunFingerprint? Read(string directory)
    {
        var path = Path.Combine(directory, FileName);
        if (!File.Exists(path)) return null;
        try
        {
            return JsonSerializer.Deserialize<RunFingerprint>(IO.InputText.ReadAllText(path), Json)
                   ?? throw new IcdResearch.Data.DataFormatException(path, "empty (null)");
        }
        catch (JsonException e) { throw new IcdResearch.Data.DataFormatException(path, $"malformed or truncated: {e.Message}; rerun with --restart to start afresh", inner: e); }
    }

    public void Write(string directory) => IO.AtomicFile.WriteAllText(Path.Combine(directory, FileName), JsonSerializer.Serialize(this, Json));
}
