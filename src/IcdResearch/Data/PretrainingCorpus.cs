namespace IcdResearch.Data;

/// <summary>One document of the pretraining corpus and the source it came from (for corpus statistics).</summary>
public sealed record CorpusDocument(string Source, string Text);

/// <summary>Size of one source of the pretraining corpus (train and held-out documents together).</summary>
public sealed record CorpusSourceSize(int Documents, long Characters);

/// <summary>
/// The clinical-text corpus for pretraining the default backbone (issue #3): CCL25 raw records and entity views of the
/// TRAINING part of the split, unlabelled test-a records (raw and entity view), DCCNCE code names ("code name" lines) and
/// CHIP-CDN train mentions with their standard terms. Records of the test split are never included
/// (the excludedRecordIds of <see cref="Build"/>), and CHIP-CDN dev.json is left out so it stays an unseen normalisation test.
/// A seeded, per-source fraction of the documents is held out for perplexity.
/// </summary>
public sealed record PretrainingCorpus(IReadOnlyList<CorpusDocument> Train, IReadOnlyList<CorpusDocument> HeldOut, bool IsSynthetic)
{
    /// <summary>Code-table and CHIP-CDN lines are grouped into documents of this many lines.</summary>
    public const int LinesPerDocument = 64;

    public long TrainCharacters => Train.Sum(d => (long)d.Text.Length);
    public long HeldOutCharacters => HeldOut.Sum(d => (long)d.Text.Length);

    /// <summary>Documents and characters per source, e.g. for the paper-repro corpus table.</summary>
    public IReadOnlyDictionary<string, CorpusSourceSize> Statistics() =>
        Train.Concat(HeldOut).GroupBy(d => d.Source).OrderBy(g => g.Key, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => new CorpusSourceSize(g.Count(), g.Sum(d => (long)d.Text.Length)));

    /// <param name="data">CCL25 (real or synthetic).</param>
    /// <param name="excludedRecordIds">病案标识 of the test split: neither their raw text nor their entity view is used.</param>
    /// <param name="chipCdnTrain">CHIP-CDN train pairs, or null when absent.</param>
    /// <param name="heldOutFraction">Fraction of each source's documents held out (at least one document per source with ≥ 2).</param>
    /// <param name="seed">Seed of the held-out draw.</param>
    public static PretrainingCorpus Build(Ccl25Dataset data, IReadOnlySet<string> excludedRecordIds,
        IReadOnlyList<ChipCdnPair>? chipCdnTrain = null, double heldOutFraction = 0.05, int seed = 42)
    {
        if (heldOutFraction is < 0 or >= 1) throw new ArgumentException("heldOutFraction must be in [0, 1).");
        var sources = new List<(string Source, List<string> Texts)>
        {
            ("ccl25-train-raw", data.TrainRaw.Where(r => !excludedRecordIds.Contains(r.Id)).Select(r => r.FullText()).ToList()),
            ("ccl25-train-entities", data.TrainEntities.Where(r => !excludedRecordIds.Contains(r.Id)).Select(r => r.ToText()).ToList()),
            ("ccl25-test-a-raw", data.TestARaw.Select(r => r.FullText()).ToList()),
            ("ccl25-test-a-entities", data.TestAEntities.Select(r => r.ToText()).ToList()),
            ("dccnce-names", Chunk(data.Codes.Codes.Select(c => $"{c} {data.Codes.NameOf(c)}"))),
            ("chip-cdn-train", Chunk((chipCdnTrain ?? []).Select(p => $"{p.Text}：{string.Join("，", p.Terms)}"))),
        };

        var random = new Random(seed);
        var train = new List<CorpusDocument>();
        var heldOut = new List<CorpusDocument>();
        foreach (var (source, texts) in sources)
        {
            var docs = texts.Where(t => t.Trim().Length > 0).ToList();
            var order = docs.Select((_, i) => i).OrderBy(_ => random.Next()).ToList();
            var take = docs.Count < 2 || heldOutFraction == 0 ? 0 : Math.Max(1, (int)Math.Round(docs.Count * heldOutFraction));
            var held = order.Take(take).ToHashSet();
            for (var i = 0; i < docs.Count; i++) (held.Contains(i) ? heldOut : train).Add(new CorpusDocument(source, docs[i]));
        }
        return new PretrainingCorpus(train, heldOut, data.IsSynthetic);
    }

    /// <summary>Loads CCL25 (or the synthetic sample) and CHIP-CDN train.json (when present) from a data folder.</summary>
    public static PretrainingCorpus Load(string? dataDir, IReadOnlySet<string> excludedRecordIds, double heldOutFraction = 0.05, int seed = 42)
    {
        var data = Ccl25Dataset.Load(dataDir);
        var chipPath = Path.Combine(DataDirectory.Resolve(dataDir), "chip-cdn", "train.json");
        var chip = !data.IsSynthetic && File.Exists(chipPath) ? ChipCdn.Load(chipPath) : null;
        return Build(data, excludedRecordIds, chip, heldOutFraction, seed);
    }

    static List<string> Chunk(IEnumerable<string> lines) =>
        lines.Chunk(LinesPerDocument).Select(c => string.Join('\n', c)).ToList();
}
