using IcdResearch.Data;

namespace IcdResearch.Ner;

/// <summary>
/// Silver training and evaluation data for 疾病和诊断 NER (system paper §3.2 uses CCKS 2019, unavailable here). For a
/// record's text the entity lexicon is the union of
/// (1) the 疾病 entities of the record's own entity-extracted view (train-entities.json / test-a-entities.json; both
///     the primary and the other view), aligned to the raw text of the same record by exact string match;
/// (2) DCCNCE 2.0 disease names, without chapter R (symptoms and signs, which CCKS types as symptoms, not diseases) and
///     without ICD-O morphology codes (M…);
/// (3) CHIP-CDN diagnosis mentions and their standard terms.
/// Matches are resolved by <see cref="EntityAligner"/> (longest, then leftmost, no overlaps). Texts are cut into
/// <see cref="NerSegment"/>s. The labels are silver: an entity is only found where its exact string occurs.
/// </summary>
public sealed class NerCorpus(EntityAligner aligner, IReadOnlySet<string> globalLexicon)
{
    public IReadOnlySet<string> GlobalLexicon { get; } = globalLexicon;

    public static NerCorpus Create(CodeTable codes, IEnumerable<ChipCdnPair> chipCdn, EntityAligner? aligner = null)
    {
        aligner ??= new EntityAligner();
        var names = codes.Codes.Where(c => !c.StartsWith('R') && !c.StartsWith('M')).Select(codes.NameOf);
        var cdn = chipCdn.SelectMany(p => p.Terms.Prepend(p.Text));
        return new NerCorpus(aligner, aligner.Lexicon(names.Concat(cdn)));
    }

    /// <summary>Silver spans of <paramref name="text"/> given the record's own 疾病 entities (may be empty).</summary>
    public List<EntitySpan> Annotate(string text, IEnumerable<string> recordEntities)
    {
        var lexicon = aligner.Lexicon(recordEntities);
        lexicon.UnionWith(GlobalLexicon);
        return aligner.Align(text, lexicon);
    }

    /// <summary>Annotated segments of many texts (each with its record's entities).</summary>
    public List<NerSegment> Segments(IEnumerable<(string Text, IEnumerable<string> Entities)> docs, int segmentChars)
        => docs.SelectMany(d =>
        {
            var text = BracketFormat.Escape(d.Text);
            return NerSegment.Split(text, Annotate(text, d.Entities), segmentChars);
        }).ToList();

    /// <summary>The 疾病 entities of an entity-view record (both views).</summary>
    public static IReadOnlyList<string> Diseases(EntityRecord? record) => record?.Entities("疾病") ?? [];
}
