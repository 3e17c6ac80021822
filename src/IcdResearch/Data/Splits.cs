using System.Text.Json;
using System.Text.Json.Serialization;

namespace IcdResearch.Data;

/// <summary>
/// One fixed partition of the labelled CCL25 records, stored as ids so every experiment reuses exactly the same split.
/// Policy (paper-repro.md §0): only the raw records carry full text, so <see cref="Test"/> and <see cref="Dev"/> are
/// drawn from them (stratified by primary code); the remaining raw records are <see cref="Train"/>, and the labelled
/// records that only have the entity-extracted view are <see cref="TrainEntities"/> — extra training material in a
/// different view (entity lists, not notes). <see cref="Folds"/> partition Train ∪ Dev into k stratified folds for
/// cross-validated tuning; the test part is never used for tuning.
/// </summary>
public sealed record DataSplit
{
    [JsonPropertyName("name")] public required string Name { get; init; }
    [JsonPropertyName("seed")] public required int Seed { get; init; }
    [JsonPropertyName("dataset")] public required string Dataset { get; init; }
    [JsonPropertyName("policy")] public required string Policy { get; init; }
    [JsonPropertyName("stratified_by")] public string StratifiedBy { get; init; } = Ccl25Fields.PrimaryCode;
    [JsonPropertyName("test")] public required IReadOnlyList<string> Test { get; init; }
    [JsonPropertyName("dev")] public required IReadOnlyList<string> Dev { get; init; }
    [JsonPropertyName("train")] public required IReadOnlyList<string> Train { get; init; }
    [JsonPropertyName("train_entities")] public required IReadOnlyList<string> TrainEntities { get; init; }
    [JsonPropertyName("folds")] public required IReadOnlyList<IReadOnlyList<string>> Folds { get; init; }

    /// <summary>The ids of a part by name: test, dev, train, train_entities, or fold0…fold{k-1}.</summary>
    public IReadOnlyList<string> Part(string name) => name switch
    {
        "test" => Test,
        "dev" => Dev,
        "train" => Train,
        "train_entities" => TrainEntities,
        _ when name.StartsWith("fold", StringComparison.Ordinal) && int.TryParse(name[4..], out var k) && k >= 0 && k < Folds.Count => Folds[k],
        _ => throw new ArgumentException($"unknown split part '{name}' (test, dev, train, train_entities, fold0…fold{Folds.Count - 1})"),
    };

    /// <summary>Records a backbone must not see in pretraining: test (reported numbers) and dev (drives selection).</summary>
    public IReadOnlySet<string> HeldOutFromPretraining() => Test.Concat(Dev).ToHashSet(StringComparer.Ordinal);

    /// <summary>
    /// Cross-validation split <paramref name="k"/> over the folds of train ∪ dev: fold k is the test part, fold k+1 (mod
    /// the fold count) is dev, the other folds plus this split's own test records are train (the held-out test part is
    /// only training material here; no number of this fold split is reported as a test-split number).
    /// </summary>
    public DataSplit Fold(int k)
    {
        if (k < 0 || k >= Folds.Count) throw new ArgumentOutOfRangeException(nameof(k), $"fold {k} of {Folds.Count}");
        var dev = (k + 1) % Folds.Count;
        return this with
        {
            Name = $"{Name}-fold{k}",
            Test = Folds[k],
            Dev = Folds[dev],
            Train = [.. Folds.Where((_, i) => i != k && i != dev).SelectMany(f => f), .. Test],
            Folds = [],
        };
    }

    /// <summary>Checks the split against a dataset: every id exists, test/dev/train are raw records, parts are disjoint and cover every labelled record.</summary>
    public void Validate(Ccl25Dataset data, string source = "split")
    {
        var parts = new[] { ("test", Test), ("dev", Dev), ("train", Train), ("train_entities", TrainEntities) };
        var seen = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (part, ids) in parts)
            foreach (var id in ids)
            {
                if (!seen.TryAdd(id, part)) throw new InvalidDataException($"{source}: id {id} is in both '{seen[id]}' and '{part}'");
                if (!data.LabelsById.ContainsKey(id)) throw new InvalidDataException($"{source}: id {id} ('{part}') is not a labelled record of {data.Source}");
                if (part != "train_entities" && !data.RawById.ContainsKey(id)) throw new InvalidDataException($"{source}: id {id} ('{part}') has no raw record in {data.Source}");
            }
        var missing = data.TrainLabels.Select(l => l.Id).Where(id => !seen.ContainsKey(id)).ToList();
        if (missing.Count > 0) throw new InvalidDataException($"{source}: {missing.Count} labelled records of {data.Source} are in no part (e.g. {missing[0]})");
        var pool = Train.Concat(Dev).ToHashSet(StringComparer.Ordinal);
        var inFolds = Folds.SelectMany(f => f).ToList();
        if (Folds.Count > 0 && (inFolds.Count != pool.Count || !pool.SetEquals(inFolds)))
            throw new InvalidDataException($"{source}: the folds do not partition train ∪ dev");
    }
}

/// <summary>Creates, saves and loads <see cref="DataSplit"/>s (deterministic for a seed; stratified by primary code).</summary>
public static class Splits
{
    /// <summary>The split every reported number uses (committed; ids only).</summary>
    public const string DefaultPath = "data/splits/ccl25-seed42.json";

    public const string PolicyText =
        "test and dev are drawn from the raw records (the only ones with full text), stratified by primary code; the other raw " +
        "records are train; labelled records with only the entity-extracted view are train_entities (a different view: entity " +
        "lists from a third-party extractor); folds partition train+dev (stratified) for cross-validated tuning; test is never used for tuning.";

    /// <summary>
    /// Splits a dataset. Defaults: test = round(0.3·raw), dev = round(0.1·raw) — 48 and 16 of the 160 real raw records.
    /// Each primary-code stratum gets a share proportional to its size (largest remainder).
    /// </summary>
    public static DataSplit Create(Ccl25Dataset data, int seed = 42, int? testSize = null, int? devSize = null, int folds = 5, string? name = null)
    {
        var raw = data.TrainRaw.Select(r => (r.Id, Stratum: r.PrimaryCode!)).ToList();
        var test = testSize ?? (int)Math.Round(0.3 * raw.Count);
        var dev = devSize ?? (int)Math.Round(0.1 * raw.Count);
        if (test + dev >= raw.Count) throw new ArgumentException($"test ({test}) + dev ({dev}) must leave raw training records (only {raw.Count} raw records)");

        var random = new Random(seed);
        var strata = raw.GroupBy(r => r.Stratum).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => Shuffle(g.Select(r => r.Id).Order(StringComparer.Ordinal).ToList(), random)).ToList();
        var testShare = Allocate(strata.Select(s => s.Count).ToList(), test);
        var devShare = Allocate(strata.Select((s, i) => s.Count - testShare[i]).ToList(), dev);
        List<string> testIds = [], devIds = [], trainIds = [];
        for (var i = 0; i < strata.Count; i++)
        {
            testIds.AddRange(strata[i].Take(testShare[i]));
            devIds.AddRange(strata[i].Skip(testShare[i]).Take(devShare[i]));
            trainIds.AddRange(strata[i].Skip(testShare[i] + devShare[i]));
        }
        var rawIds = raw.Select(r => r.Id).ToHashSet(StringComparer.Ordinal);
        var pool = trainIds.Concat(devIds).Select(id => (Id: id, Stratum: data.LabelsById[id].PrimaryCode)).ToList();
        return new DataSplit
        {
            Name = name ?? $"{(data.IsSynthetic ? "synthetic" : "ccl25")}-seed{seed}",
            Seed = seed,
            Dataset = data.IsSynthetic ? "synthetic" : "ccl25",
            Policy = PolicyText,
            Test = Sorted(testIds),
            Dev = Sorted(devIds),
            Train = Sorted(trainIds),
            TrainEntities = Sorted(data.TrainLabels.Select(l => l.Id).Where(id => !rawIds.Contains(id))),
            Folds = folds > 0 ? StratifiedFolds(pool, folds, seed) : [],
        };
    }

    /// <summary>k stratified folds: shuffle within each stratum, then deal the strata (in code order) round-robin.</summary>
    public static IReadOnlyList<IReadOnlyList<string>> StratifiedFolds(IReadOnlyList<(string Id, string Stratum)> items, int k, int seed)
    {
        if (k < 2) throw new ArgumentException("k-fold needs k ≥ 2");
        if (items.Count < k) throw new ArgumentException($"{items.Count} records cannot fill {k} folds");
        var random = new Random(unchecked(seed * 31 + k));
        var folds = Enumerable.Range(0, k).Select(_ => new List<string>()).ToList();
        var next = 0;
        foreach (var group in items.GroupBy(i => i.Stratum).OrderBy(g => g.Key, StringComparer.Ordinal))
            foreach (var id in Shuffle(group.Select(i => i.Id).Order(StringComparer.Ordinal).ToList(), random))
                folds[next++ % k].Add(id);
        return folds.Select(f => Sorted(f)).ToList();
    }

    /// <summary>The split for a dataset: the committed file for the real data, or a freshly made one for the synthetic sample.</summary>
    public static DataSplit For(Ccl25Dataset data, string? path = null, int seed = 42)
    {
        if (data.IsSynthetic && path is null) return Create(data, seed);
        path ??= ResolveDefaultPath();
        var split = Load(path);
        split.Validate(data, path);
        return split;
    }

    /// <summary><see cref="DefaultPath"/> found from the working folder or any parent (so commands run from a subfolder still find it).</summary>
    public static string ResolveDefaultPath()
    {
        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, DefaultPath);
            if (File.Exists(candidate)) return candidate;
        }
        return DefaultPath;
    }

    public static void Save(string path, DataSplit split)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        IO.AtomicFile.WriteAllText(path, JsonSerializer.Serialize(split, Ccl25Json.SerializerOptions) + "\n");
    }

    public static DataSplit Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"split file not found: {path} (create it with `icd split`)", path);
        try
        {
            return JsonSerializer.Deserialize<DataSplit>(IO.InputText.ReadAllText(path))
                   ?? throw new DataFormatException(path, "empty split file");
        }
        catch (JsonException e)
        {
            throw new DataFormatException(path, $"not a split file: {e.Message}", inner: e);
        }
    }

    /// <summary>Largest-remainder allocation of <paramref name="total"/> proportionally to <paramref name="sizes"/>.</summary>
    internal static int[] Allocate(IReadOnlyList<int> sizes, int total)
    {
        var sum = sizes.Sum();
        var exact = sizes.Select(s => sum == 0 ? 0 : (double)s * total / sum).ToArray();
        var share = exact.Select(e => (int)Math.Floor(e)).ToArray();
        foreach (var i in Enumerable.Range(0, sizes.Count).OrderByDescending(i => exact[i] - share[i]).ThenBy(i => i).Take(total - share.Sum()))
            share[i]++;
        return share;
    }

    static List<string> Shuffle(List<string> items, Random random)
    {
        for (var i = items.Count - 1; i > 0; i--)
        {
            var j = random.Next(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
        return items;
    }

    static List<string> Sorted(IEnumerable<string> ids) => ids.Order(StringComparer.Ordinal).ToList();
}
