namespace IcdResearch.Pipelines.CodeCentric;

/// <summary>
/// Settings of the CCL experiment. <see cref="Smoke"/> runs the whole path on the synthetic sample in about a minute;
/// <see cref="Default"/> is sized for about 25 minutes on 2 CPU cores with the project's small backbone (short
/// documents, few epochs, capped span sets and test records) — the paper trains 8B models on full summaries.
/// </summary>
public sealed record CodeCentricOptions
{
    public string Profile { get; init; } = "default";
    public int Seed { get; init; } = 42;
    /// <summary>Where results/ccl_*.csv and the versioned pair files go.</summary>
    public string ResultsDir { get; init; } = "results";
    /// <summary>Where trained arms (checkpoints) and raw generations go; re-runs reuse finished arms.</summary>
    public string RunsDir { get; init; } = Path.Combine("runs", "ccl");
    /// <summary>Backbone model folder; null = the project's default pretrained backbone.</summary>
    public string? Backbone { get; init; }
    /// <summary>Document layout: 192 characters keep prompt + evidence-and-codes answer (mean 147, max 245 characters on
    /// the real test records) inside the small backbone's 512-token context.</summary>
    public CodeCentricDocument Document { get; init; } = new() { MaxChars = 192 };
    public int Epochs { get; init; } = 3;
    public double LearningRate { get; init; } = 1e-3;
    public int MaxLength { get; init; } = 512;
    public int BatchSize { get; init; } = 4;
    /// <summary>Prompts decoded together (left-padded batch with a KV cache).</summary>
    public int GenerationBatchSize { get; init; } = 8;
    /// <summary>Evaluate on at most this many test records (0 = all).</summary>
    public int MaxTestRecords { get; init; }
    /// <summary>At most this many out-of-domain CHIP-CDN dev mentions (0 = all).</summary>
    public int MaxOodMentions { get; init; } = 200;
    /// <summary>Caps on span-level examples per source (0 = no cap), sampled with the seed.</summary>
    public int MaxTabularPairs { get; init; } = 400;
    public int MaxIndexPairs { get; init; } = 400;
    public int MaxNewTokensDocument { get; init; } = 220;
    public int MaxNewTokensSpan { get; init; } = 32;
    /// <summary>Silver pairs kept per code after consolidation (Eq. 7).</summary>
    public int SilverPerCode { get; init; } = 3;
    /// <summary>Also mine silver spans with the backbone (Eq. 6) and compare with the aligner.</summary>
    public bool MineWithModel { get; init; } = true;
    /// <summary>Bootstrap resamples for the CIs.</summary>
    public int Resamples { get; init; } = 2000;

    public static CodeCentricOptions Default => new();

    public static CodeCentricOptions Smoke => new()
    {
        Profile = "smoke", Epochs = 1, MaxTestRecords = 6, MaxOodMentions = 12, MaxTabularPairs = 40, MaxIndexPairs = 40,
        MaxNewTokensDocument = 48, MaxNewTokensSpan = 16, Resamples = 200, Document = new CodeCentricDocument { MaxChars = 96 },
        MaxLength = 256,
    };

    public static CodeCentricOptions ForProfile(string profile) => profile switch
    {
        "smoke" => Smoke,
        "default" => Default,
        _ => throw new ArgumentException($"unknown profile '{profile}'; expected smoke or default", nameof(profile)),
    };
}
