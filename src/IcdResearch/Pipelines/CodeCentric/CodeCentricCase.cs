using IcdResearch.Data;

namespace IcdResearch.Pipelines.CodeCentric;

/// <summary>
/// One labelled record as CCL sees it: the document text, its full code set (primary first, then the other codes in
/// label order) and its reference evidence — for each code the verbatim span the deterministic aligner finds
/// (入院诊断 items first), deduplicated and sorted by position in the document (Appendix F: "evidence in document
/// order"). <see cref="CodesWithoutEvidence"/> lists the codes for which no span was found.
/// </summary>
public sealed record CodeCentricCase(string Id, string Document, IReadOnlyList<string> Codes, IReadOnlyList<string> Evidence,
    IReadOnlyList<string> CodesWithoutEvidence)
{
    public IReadOnlySet<string> CodeSet => new HashSet<string>(Codes, StringComparer.Ordinal);

    /// <param name="record">The labelled record.</param>
    /// <param name="layout">The record laid out as a document.</param>
    /// <param name="extractor">Finds each code's evidence spans in the document.</param>
    /// <param name="codes">The code table (names of the record's codes).</param>
    /// <param name="withheld">Codes dropped from this case's labels and evidence (Figure 3's codes unseen at document
    /// level: the document stays, its target no longer mentions them).</param>
    public static CodeCentricCase From(ClinicalRecord record, CodeCentricDocument layout, ISpanExtractor extractor, CodeTable codes,
        IReadOnlySet<string>? withheld = null)
    {
        var labels = record.Labels();
        var all = new[] { labels.PrimaryCode }.Concat(labels.OtherCodes).Distinct()
            .Where(c => withheld is null || !withheld.Contains(c)).ToList();
        var document = layout.Build(record);
        var found = new List<(int Offset, string Span)>();
        var missing = new List<string>();
        foreach (var code in all)
        {
            var span = extractor.Extract(document, code, codes.TryGetName(code, out var n) ? n : code);
            int at = span is null ? -1 : document.IndexOf(span, StringComparison.Ordinal);
            if (at < 0) missing.Add(code); else found.Add((at, span!));
        }
        var evidence = found.OrderBy(f => f.Offset).ThenBy(f => f.Span.Length).Select(f => f.Span).Distinct().ToList();
        return new CodeCentricCase(record.Id, document, all, evidence, missing);
    }
}
