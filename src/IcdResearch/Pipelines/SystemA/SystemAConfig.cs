using System.Text.Json;
using System.Text.Json.Serialization;

namespace IcdResearch.Pipelines.SystemA;

/// <summary>A candidate code with its DCCNCE name, as stored in system-a.json.</summary>
public sealed record CandidateEntry([property: JsonPropertyName("code")] string Code, [property: JsonPropertyName("name")] string Name);

/// <summary>A retrieval-database entry (§3.1): a training case's id, 入院诊断 text, clinical information and primary code.</summary>
public sealed record DatabaseEntry(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("admission")] string AdmissionText,
    [property: JsonPropertyName("clinical_info")] string ClinicalInfo,
    [property: JsonPropertyName("primary")] string PrimaryCode);

/// <summary>
/// Everything `icd predict` needs besides the weights, written by `icd reproduce` to &lt;models&gt;/system-a.json: the
/// candidate names, how clinical information is rendered, the model sub-folders, the retrieval embedding and database,
/// the routing threshold (§3.1) and the sampling / voting settings (§3.2).
/// </summary>
public sealed record SystemAConfig
{
    public const string FileName = "system-a.json";

    /// <summary>System A's model roles: the keys of <see cref="Models"/>, the fine-tuned models and the backbone.</summary>
    public static IReadOnlyList<string> Roles { get; } = [.. SystemAExperiment.ModelNames, "backbone"];

    [JsonPropertyName("primary_candidates")] public required IReadOnlyList<CandidateEntry> PrimaryCandidates { get; init; }
    [JsonPropertyName("other_candidates")] public required IReadOnlyList<CandidateEntry> OtherCandidates { get; init; }
    [JsonPropertyName("clinical_info")] public ClinicalInfoOptions ClinicalInfo { get; init; } = new();
    /// <summary>Model folders relative to the models directory: backbone, primary, rejudge, other_direct, other_ner, ner.</summary>
    [JsonPropertyName("models")] public required IReadOnlyDictionary<string, string> Models { get; init; }
    /// <summary>"tfidf" or "hidden" (the backbone's mean-pooled hidden states), chosen on dev by neighbour accuracy.</summary>
    [JsonPropertyName("retrieval_embedding")] public string RetrievalEmbedding { get; init; } = "tfidf";
    /// <summary>Whether other-diagnosis prompts list the candidate names (see <see cref="SystemAProfile.ListOtherCandidates"/>).</summary>
    [JsonPropertyName("list_other_candidates")] public bool ListOtherCandidates { get; init; } = true;
    [JsonPropertyName("database")] public required IReadOnlyList<DatabaseEntry> Database { get; init; }
    [JsonPropertyName("confidence_threshold")] public double ConfidenceThreshold { get; init; } = 1.0;
    [JsonPropertyName("confidence_tolerance")] public double ConfidenceTolerance { get; init; } = 1e-6;
    [JsonPropertyName("samples_per_model")] public int SamplesPerModel { get; init; } = 8;
    /// <summary>Ensemble keeps a code seen in more than this many of the pooled samples (our pooled reading of the paper's rule: 7 of 16).</summary>
    [JsonPropertyName("ensemble_vote_threshold")] public int EnsembleVoteThreshold { get; init; } = Voting.HardVoting.PaperEnsembleThreshold;
    /// <summary>
    /// The ensemble vote threshold that maximised mean other-diagnosis F1 on dev (`icd reproduce` fills it in after the
    /// Table 2 sweep; null until then). `icd predict --vote tuned` uses it.
    /// </summary>
    [JsonPropertyName("tuned_vote_threshold")] public int? TunedVoteThreshold { get; init; }
    [JsonPropertyName("ner_segment_chars")] public int NerSegmentChars { get; init; } = 96;
    [JsonPropertyName("seed")] public int Seed { get; init; } = 42;

    public DiseaseCandidates Primary() => Candidates(PrimaryCandidates);
    public DiseaseCandidates Other() => new(OtherCandidates.Select(e => e.Code), Names(OtherCandidates)) { ListedInPrompt = ListOtherCandidates };
    public ConfidenceThreshold Threshold() => new(ConfidenceThreshold, ConfidenceTolerance);

    static DiseaseCandidates Candidates(IReadOnlyList<CandidateEntry> entries) => new(entries.Select(e => e.Code), Names(entries));

    static Func<string, string> Names(IReadOnlyList<CandidateEntry> entries)
    {
        var names = entries.ToDictionary(e => e.Code, e => e.Name, StringComparer.Ordinal);
        return c => names[c];
    }

    static readonly JsonSerializerOptions Json = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public void Save(string modelsDir)
    {
        IO.AtomicFile.WriteAllText(Path.Combine(modelsDir, FileName), JsonSerializer.Serialize(this, Json));
    }

    public static SystemAConfig Load(string modelsDir)
    {
        var path = Path.Combine(modelsDir, FileName);
        if (!File.Exists(path)) throw new FileNotFoundException($"{path} not found: train the models first with `icd reproduce` (it writes {FileName} into the models folder)", path);
        SystemAConfig config;
        try { config = JsonSerializer.Deserialize<SystemAConfig>(IO.InputText.ReadAllText(path), Json) ?? throw new Data.DataFormatException(path, "empty (null)"); }
        catch (JsonException e)
        {
            throw new Data.DataFormatException(path, $"malformed or truncated JSON at line {(e.LineNumber ?? 0) + 1}, position {(e.BytePositionInLine ?? 0) + 1}{(e.Path is { Length: > 1 } p ? $" (field {p})" : "")}: train the models again with `icd reproduce`", inner: e);
        }
        config.ClinicalInfo.Validate();
        return config;
    }
}
