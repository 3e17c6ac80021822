using IcdResearch.Data;

namespace IcdResearch.Pipelines.CodeCentric;

/// <summary>
/// Everything CCL trains and evaluates on, built from the labelled records of one split (§3.3 data expansion):
/// document cases with reference evidence, gold (tabular + index), silver (mined from the training documents only)
/// and synthetic span pairs, and the out-of-domain CHIP-CDN dev mentions whose text never occurs in a training pair.
/// </summary>
public sealed record CodeCentricData
{
    public required IReadOnlyDictionary<string, string> Names { get; init; }
    /// <summary>The task's code space: every primary and other code of the training labels.</summary>
    public required IReadOnlySet<string> CodeSpace { get; init; }
    public required IReadOnlyList<CodeCentricCase> Train { get; init; }
    public required IReadOnlyList<CodeCentricCase> Test { get; init; }
    public required IReadOnlyList<SpanCodePair> GoldTabular { get; init; }
    public required IReadOnlyList<SpanCodePair> GoldIndex { get; init; }
    public required IReadOnlyList<SpanCodePair> Silver { get; init; }
    public required IReadOnlyList<SpanCodePair> Synthetic { get; init; }
    public required SilverPairMiner.Report MiningReport { get; init; }
    /// <summary>Stage-1 spans of the aligner per (training document, code), before consolidation.</summary>
    public required IReadOnlyList<SilverPairMiner.MinedSpan> Mined { get; init; }
    public required IReadOnlyList<(string Text, string Code)> Ood { get; init; }
    public required int TruncatedDocuments { get; init; }
    /// <summary>Codes withheld from the training documents (<see cref="CodeCentricOptions.WithheldCodes"/>), sorted.</summary>
    public IReadOnlyList<string> Withheld { get; init; } = [];

    public IEnumerable<SpanCodePair> AllPairs => GoldTabular.Concat(GoldIndex).Concat(Silver).Concat(Synthetic);

    /// <summary>
    /// Loads the dataset (or the synthetic sample), the shared split file's train/test records and CHIP-CDN, and builds
    /// the data. Without CHIP-CDN files (synthetic sample) there are no index pairs and no out-of-domain test.
    /// </summary>
    public static CodeCentricData Load(CodeCentricOptions options, string? dataDir = null, Action<string>? log = null)
    {
        var dataset = Ccl25Dataset.Load(dataDir);
        return Load(options, dataset, Splits.For(dataset), dataDir, log);
    }

    /// <summary>As above for an already loaded dataset and split (what `icd reproduce` holds).</summary>
    public static CodeCentricData Load(CodeCentricOptions options, Ccl25Dataset dataset, DataSplit split, string? dataDir = null, Action<string>? log = null)
    {
        // The shared split (data/splits/ccl25-seed42.json): documents of train ∪ dev train the models (no CCL setting is
        // tuned on dev), test is held out; the 594 entity-only records have no document text and are not used.
        var train = split.Train.Concat(split.Dev).Select(id => dataset.RawById[id]).ToList();
        var test = split.Test.Select(id => dataset.RawById[id]).ToList();
        var chipDir = Path.Combine(DataDirectory.Resolve(dataDir), "chip-cdn");
        List<ChipCdnPair> chipTrain = [], chipDev = [];
        if (!dataset.IsSynthetic && File.Exists(Path.Combine(chipDir, "train.json")))
        {
            chipTrain = ChipCdn.Load(Path.Combine(chipDir, "train.json"));
            chipDev = ChipCdn.Load(Path.Combine(chipDir, "dev.json"));
        }
        else log?.Invoke($"note: no CHIP-CDN under {chipDir} (or synthetic data): no index pairs, no out-of-domain test");
        log?.Invoke($"ccl: {dataset.Source}: {train.Count} train / {test.Count} test records");
        return Build(dataset, train, test, chipTrain, chipDev, options);
    }

    /// <param name="dataset">CCL25 (real or synthetic): code table and entity views.</param>
    /// <param name="train">Labelled training records (documents for doc-level examples and silver mining).</param>
    /// <param name="test">Held-out labelled records (evaluation only; their text never enters a pair); the first
    /// <see cref="CodeCentricOptions.MaxTestRecords"/> are used when that cap is set.</param>
    /// <param name="chipTrain">CHIP-CDN train mentions (gold index pairs).</param>
    /// <param name="chipDev">CHIP-CDN dev mentions (out-of-domain test).</param>
    /// <param name="options">The run's settings (caps, withheld codes, seed).</param>
    public static CodeCentricData Build(Ccl25Dataset dataset, IReadOnlyList<ClinicalRecord> train, IReadOnlyList<ClinicalRecord> test,
        IReadOnlyList<ChipCdnPair> chipTrain, IReadOnlyList<ChipCdnPair> chipDev, CodeCentricOptions options)
    {
        if (options.MaxTestRecords > 0 && test.Count > options.MaxTestRecords) test = test.Take(options.MaxTestRecords).ToList();
        var names = dataset.Codes.Codes.ToDictionary(c => c, dataset.Codes.NameOf, StringComparer.Ordinal);
        var space = dataset.PrimaryCodes.Concat(dataset.OtherCodes).ToHashSet(StringComparer.Ordinal);
        var gold = new GoldPairBuilder(names);
        var scope = gold.Scope(space);
        var tabular = gold.Tabular(scope);
        var (index, _) = gold.Index(chipTrain.Select(m => new GoldPairBuilder.Mention(m.Text, m.Terms)), scope);

        // Aliases for the aligner: the most frequent index mentions of each code (clinical surface forms such as 冠心病).
        var aliases = index.GroupBy(p => p.Code).ToDictionary(g => g.Key,
            g => (IReadOnlyList<string>)g.OrderByDescending(p => p.Frequency).ThenBy(p => p.Span, StringComparer.Ordinal).Take(5).Select(p => p.Span).ToList());
        var aligner = new AlignmentSpanExtractor(aliases);
        var withheld = WithheldCodes(train, test, dataset.PrimaryCodes, options);
        var trainCases = train.Select(r => CodeCentricCase.From(r, options.Document, aligner, dataset.Codes, withheld)).ToList();
        var testCases = test.Select(r => CodeCentricCase.From(r, options.Document, aligner, dataset.Codes)).ToList();

        var miner = new SilverPairMiner(aligner, options.SilverPerCode);
        var (mined, report) = miner.ExtractAll(trainCases.Select(c => new SilverPairMiner.Document(c.Id, c.Document, c.Codes)), names);
        var silver = miner.Consolidate(mined);
        var synthetic = new SyntheticPairBuilder(names).Build(space, [.. index, .. silver]);

        var seen = tabular.Concat(index).Concat(silver).Concat(synthetic).Select(p => SilverPairMiner.Normalize(p.Span)).ToHashSet(StringComparer.Ordinal);
        var ood = gold.Index(chipDev.Select(m => new GoldPairBuilder.Mention(m.Text, m.Terms)), space).Pairs
            .Where(p => !seen.Contains(SilverPairMiner.Normalize(p.Span)))
            .Select(p => (p.Span, p.Code)).ToList();
        if (options.MaxOodMentions > 0 && ood.Count > options.MaxOodMentions)
        {
            var rng = new Random(options.Seed);
            ood = ood.Select(x => (x, key: rng.Next())).OrderBy(t => t.key).Take(options.MaxOodMentions).Select(t => t.x)
                .OrderBy(x => x.Code, StringComparer.Ordinal).ThenBy(x => x.Span, StringComparer.Ordinal).ToList();
        }

        return new CodeCentricData
        {
            Names = names, CodeSpace = space, Train = trainCases, Test = testCases,
            GoldTabular = Cap(tabular, options.MaxTabularPairs, options.Seed, space),
            GoldIndex = Cap(index, options.MaxIndexPairs, options.Seed, space),
            Silver = silver, Synthetic = synthetic, MiningReport = report, Mined = mined, Ood = ood,
            TruncatedDocuments = train.Concat(test).Count(options.Document.IsTruncated),
            Withheld = withheld.Order(StringComparer.Ordinal).ToList(),
        };
    }

    /// <summary>
    /// Figure 3's unseen codes: <see cref="CodeCentricOptions.WithheldCodes"/> other-diagnosis codes (never a primary
    /// code) that occur in both the training and the test labels, chosen with the seed from the ordinally sorted list.
    /// </summary>
    static HashSet<string> WithheldCodes(IReadOnlyList<ClinicalRecord> train, IReadOnlyList<ClinicalRecord> test,
        IEnumerable<string> primaryCodes, CodeCentricOptions options)
    {
        if (options.WithheldCodes <= 0) return [];
        var primary = primaryCodes.ToHashSet(StringComparer.Ordinal);
        var inTrain = train.SelectMany(r => r.Labels().OtherCodes).ToHashSet(StringComparer.Ordinal);
        var eligible = test.SelectMany(r => r.Labels().OtherCodes).Distinct()
            .Where(c => inTrain.Contains(c) && !primary.Contains(c)).Order(StringComparer.Ordinal).ToList();
        var rng = new Random(options.Seed);
        return eligible.Select(c => (c, key: rng.Next())).OrderBy(t => t.key).Take(options.WithheldCodes)
            .Select(t => t.c).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>At most <paramref name="max"/> pairs: every pair of a code-space code first, then a seeded sample of the rest.</summary>
    static List<SpanCodePair> Cap(List<SpanCodePair> pairs, int max, int seed, IReadOnlySet<string> space)
    {
        if (max <= 0 || pairs.Count <= max) return pairs;
        var rng = new Random(seed);
        return pairs.Select(p => (p, inSpace: space.Contains(p.Code) ? 0 : 1, key: rng.Next()))
            .OrderBy(t => t.inSpace).ThenBy(t => t.key).Take(max).Select(t => t.p)
            .OrderBy(p => p.Code, StringComparer.Ordinal).ThenBy(p => p.Span, StringComparer.Ordinal).ToList();
    }
}
