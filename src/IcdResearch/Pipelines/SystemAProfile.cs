namespace IcdResearch.Pipelines;

/// <summary>
/// Sizes of one `icd reproduce` run of System A. <see cref="Smoke"/> exercises every step on the synthetic sample in
/// a few minutes (tiny backbone, one or two epochs, 2 samples per model); <see cref="Default"/> is sized to finish in
/// ≤ 60 minutes on 2 CPU cores on the real data, which is why it departs from Table 1 of the paper (10 epochs,
/// max length 5120, QLoRA on 7B): the backbone is the project's own small character-level model, fully fine-tuned
/// for a few epochs with prompts of about 1,000 characters.
/// </summary>
public sealed record SystemAProfile
{
    public required string Name { get; init; }
    /// <summary>`icd pretrain --size` of the backbone.</summary>
    public required string BackboneSize { get; init; }
    public ClinicalInfoOptions ClinicalInfo { get; init; } = new();
    public int SamplesPerModel { get; init; } = 8;
    public int NerSegmentChars { get; init; } = 96;
    /// <summary>At most this many NER training segments (seeded choice), bounding the NER model's training time.</summary>
    public int MaxNerTrainSegments { get; init; } = 1500;
    /// <summary>At most this many records per split (null = all) — smoke runs only.</summary>
    public int? MaxRecordsPerSplit { get; init; }
    public IReadOnlyList<double> ThresholdSweep { get; init; } = ConfidenceThreshold.Sweep;
    public double RejudgeWithoutExampleFraction { get; init; } = 0.25;

    // Fine-tuning (mapped onto the tuning code's SftOptions by the backend).
    public int Epochs { get; init; } = 3;
    public int NerEpochs { get; init; } = 2;
    public double LearningRate { get; init; } = 5e-4;
    public int BatchSize { get; init; } = 4;
    public int MaxLength { get; init; } = 1400;
    /// <summary>"full" (every weight; the from-scratch backbone is small) or "lora".</summary>
    public string FineTuneMode { get; init; } = "full";
    public int? MaxStepsPerModel { get; init; }

    public static SystemAProfile Default { get; } = new() { Name = "default", BackboneSize = "small" };

    public static SystemAProfile Smoke { get; } = new()
    {
        Name = "smoke",
        BackboneSize = "tiny",
        ClinicalInfo = new ClinicalInfoOptions
        {
            Fields = [new(Data.Ccl25Fields.ChiefComplaint, 24), new(Data.Ccl25Fields.AdmissionDiagnosis, 40)],
            EntityFields = [new("疾病", 40)],
        },
        SamplesPerModel = 2,
        NerSegmentChars = 32,
        MaxNerTrainSegments = 40,
        MaxRecordsPerSplit = 12,
        ThresholdSweep = [0.5, 0.9, 1.0],
        Epochs = 1,
        NerEpochs = 1,
        LearningRate = 1e-3,
        BatchSize = 4,
        MaxLength = 512,
        MaxStepsPerModel = 6,
    };

    public static SystemAProfile Named(string name) => name switch
    {
        "smoke" => Smoke,
        "default" => Default,
        _ => throw new ArgumentException($"unknown profile '{name}' (smoke or default)"),
    };
}
