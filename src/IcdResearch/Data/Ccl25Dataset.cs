namespace IcdResearch.Data;

/// <summary>
/// The CCL25-Eval Task 8 material in one place, loaded from a data folder (see data/README.md) — or, when that folder
/// holds no ccl25/train-raw.json, the <see cref="SyntheticSample"/> (then <see cref="IsSynthetic"/> is true and
/// <see cref="Notice"/> says so on stderr). Cross-file consistency is checked: every raw and entity record's labels
/// equal the labels file's, every label code is in the code table. The label fields of test-a-entities.json are not
/// gold (the README calls test-a unlabelled; they hold a single other code per record) and are ignored.
/// </summary>
public sealed class Ccl25Dataset
{
    public required string Source { get; init; }
    public required bool IsSynthetic { get; init; }
    /// <summary>A one-line notice when the data is synthetic (null otherwise).</summary>
    public string? Notice { get; init; }
    public required CodeTable Codes { get; init; }
    /// <summary>Raw training records with full text and labels (160 real).</summary>
    public required IReadOnlyList<ClinicalRecord> TrainRaw { get; init; }
    /// <summary>Labels of every training record (754 real; includes the raw ones).</summary>
    public required IReadOnlyList<CodeAssignment> TrainLabels { get; init; }
    /// <summary>Entity view of every training record (754 real).</summary>
    public required IReadOnlyList<EntityRecord> TrainEntities { get; init; }
    /// <summary>Official validation (A board) raw records, unlabelled (200 real).</summary>
    public required IReadOnlyList<ClinicalRecord> TestARaw { get; init; }
    /// <summary>Entity view of test-a, labels stripped.</summary>
    public required IReadOnlyList<EntityRecord> TestAEntities { get; init; }

    Dictionary<string, ClinicalRecord>? _raw;
    Dictionary<string, EntityRecord>? _entities;
    Dictionary<string, CodeAssignment>? _labels;

    public IReadOnlyDictionary<string, ClinicalRecord> RawById => _raw ??= TrainRaw.ToDictionary(r => r.Id);
    public IReadOnlyDictionary<string, EntityRecord> EntitiesById => _entities ??= TrainEntities.ToDictionary(r => r.Id);
    public IReadOnlyDictionary<string, CodeAssignment> LabelsById => _labels ??= TrainLabels.ToDictionary(r => r.Id);

    /// <summary>The 5 primary codes (sorted).</summary>
    public IReadOnlyList<string> PrimaryCodes => TrainLabels.Select(l => l.PrimaryCode).Distinct().Order(StringComparer.Ordinal).ToList();

    /// <summary>The other codes that occur in the training labels (sorted).</summary>
    public IReadOnlyList<string> OtherCodes => TrainLabels.SelectMany(l => l.OtherCodes).Distinct().Order(StringComparer.Ordinal).ToList();

    /// <summary>
    /// Loads from <c>--data</c>/<c>ICD_DATA_DIR</c>/<c>data/</c>. A folder given explicitly (<paramref name="dataDir"/>)
    /// must hold the CCL25 files — a mistyped path is an error, never a silent switch to other data; otherwise a folder
    /// without them falls back to the synthetic sample, said on stderr.
    /// </summary>
    public static Ccl25Dataset Load(string? dataDir = null)
    {
        var dir = DataDirectory.Resolve(dataDir);
        if (DataDirectory.HasCcl25(dir)) return LoadFolder(dir);
        if (!string.IsNullOrWhiteSpace(dataDir))
            throw new DirectoryNotFoundException(Directory.Exists(dir)
                ? $"data folder {dir} holds no ccl25/train-raw.json (layout: data/README.md); leave out --data to run on the synthetic sample"
                : $"data folder {dir} does not exist; leave out --data to run on the synthetic sample");
        var synthetic = Synthetic();
        Console.Error.WriteLine($"note: {dir} holds no ccl25/train-raw.json — {synthetic.Notice}");
        return synthetic;
    }

    /// <summary>The in-memory synthetic sample (no files needed).</summary>
    public static Ccl25Dataset Synthetic(int seed = SyntheticSample.DefaultSeed)
    {
        var s = SyntheticSample.Generate(seed);
        return new Ccl25Dataset
        {
            Source = $"synthetic (seed {seed})",
            IsSynthetic = true,
            Notice = $"using the SYNTHETIC sample ({s.TrainRaw.Count} raw + {s.TrainLabels.Count - s.TrainRaw.Count} entity-only labelled records, SYN ids); numbers are not comparable to the papers. Set ICD_DATA_DIR or --data for the real data.",
            Codes = s.Codes, TrainRaw = s.TrainRaw, TrainLabels = s.TrainLabels, TrainEntities = s.TrainEntities,
            TestARaw = s.TestARaw, TestAEntities = s.TestAEntities,
        };
    }

    /// <summary>Loads the five CCL25 files and the code table from a folder with the documented layout.</summary>
    public static Ccl25Dataset LoadFolder(string dir)
    {
        string P(params string[] parts) => Path.Combine([dir, .. parts]);
        var codes = CodeTable.Load(P("codes", "dccnce-2.0.tsv"));
        var raw = Ccl25RawFile.Load(P("ccl25", "train-raw.json"), codes, LabelPolicy.Required);
        var labelsPath = P("ccl25", "train-labels.json");
        var labels = Ccl25LabelsFile.Load(labelsPath, codes);
        var entitiesPath = P("ccl25", "train-entities.json");
        var entities = Ccl25EntityFile.Load(entitiesPath, codes, LabelPolicy.Required);
        var testA = Ccl25RawFile.Load(P("ccl25", "test-a-raw.json"), codes, LabelPolicy.Ignore);
        var testAEntities = Ccl25EntityFile.Load(P("ccl25", "test-a-entities.json"), codes, LabelPolicy.Ignore);

        var byId = labels.ToDictionary(l => l.Id);
        for (var i = 0; i < raw.Count; i++) CheckAgrees(P("ccl25", "train-raw.json"), i, raw[i].Labels(), byId, labelsPath);
        for (var i = 0; i < entities.Count; i++) CheckAgrees(entitiesPath, i, entities[i].Labels(), byId, labelsPath);

        var synthetic = raw.All(r => SyntheticSample.IsSyntheticId(r.Id));
        return new Ccl25Dataset
        {
            Source = dir, IsSynthetic = synthetic,
            Notice = synthetic ? $"{dir} holds the SYNTHETIC sample (SYN ids); numbers are not comparable to the papers." : null,
            Codes = codes, TrainRaw = raw, TrainLabels = labels, TrainEntities = entities, TestARaw = testA, TestAEntities = testAEntities,
        };
    }

    static void CheckAgrees(string file, int index, CodeAssignment labels, Dictionary<string, CodeAssignment> byId, string labelsPath)
    {
        if (!byId.TryGetValue(labels.Id, out var expected))
            throw new DataFormatException(file, $"id not found in {labelsPath}", index, labels.Id, Ccl25Fields.Id);
        if (expected.PrimaryCode != labels.PrimaryCode)
            throw new DataFormatException(file, $"label {labels.PrimaryCode} disagrees with {labelsPath} ({expected.PrimaryCode})", index, labels.Id, Ccl25Fields.PrimaryCode);
        if (!expected.OtherSet.SetEquals(labels.OtherCodes))
            throw new DataFormatException(file, $"labels disagree with {labelsPath}", index, labels.Id, Ccl25Fields.OtherCodes);
    }
}
