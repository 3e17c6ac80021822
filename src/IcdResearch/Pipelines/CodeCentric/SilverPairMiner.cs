namespace IcdResearch.Pipelines.CodeCentric;

/// <summary>
/// Silver pairs mined from labelled training documents in two stages (CCL paper §3.3):
/// Zhang et al. Eq. 6 — per document d and gold code c, s = Extract(d, c), a minimal verbatim span or "no evidence";
/// Zhang et al. Eq. 7 — per code, aggregate the spans over documents with their frequencies and consolidate them into at most
/// <c>maxPerCode</c> representative expressions (normalised duplicates merged, most frequent first).
/// Spans that are not verbatim substrings of their document are rejected and counted, never kept.
/// </summary>
public sealed class SilverPairMiner(ISpanExtractor extractor, int maxPerCode = 3)
{
    /// <summary>One labelled document: its id, the text the model sees, and its gold codes.</summary>
    public sealed record Document(string Id, string Text, IReadOnlyList<string> Codes);

    /// <summary>A stage-1 result: the span found for one (document, code), with its offset in the document.</summary>
    public sealed record MinedSpan(string DocumentId, string Code, string Span, int Offset);

    /// <summary>Counts for the mining report: attempts, spans found, "no evidence", and non-verbatim rejects.</summary>
    public sealed record Report(int Documents, int Attempts, int Found, int NoEvidence, int NonVerbatim);

    /// <summary>Zhang et al. Eq. 6 over all documents: the verbatim spans found, in document order per document.</summary>
    public (List<MinedSpan> Spans, Report Report) ExtractAll(IEnumerable<Document> documents, IReadOnlyDictionary<string, string> codeNames)
    {
        var spans = new List<MinedSpan>();
        int docs = 0, attempts = 0, none = 0, rejected = 0;
        foreach (var doc in documents)
        {
            docs++;
            foreach (var code in doc.Codes.Distinct())
            {
                attempts++;
                var span = extractor.Extract(doc.Text, code, codeNames.TryGetValue(code, out var n) ? n : code)?.Trim();
                if (string.IsNullOrEmpty(span)) { none++; continue; }
                int offset = doc.Text.IndexOf(span, StringComparison.Ordinal);
                if (offset < 0) { rejected++; continue; }
                spans.Add(new MinedSpan(doc.Id, code, span, offset));
            }
        }
        return (spans, new Report(docs, attempts, spans.Count, none, rejected));
    }

    /// <summary>Zhang et al. Eq. 7: per code, merge normalised duplicates, count documents, keep the most frequent expressions.</summary>
    public List<SpanCodePair> Consolidate(IEnumerable<MinedSpan> spans) =>
        spans.GroupBy(s => s.Code, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .SelectMany(g => g
                .GroupBy(s => Normalize(s.Span), StringComparer.Ordinal)
                .Select(v => (Span: v.GroupBy(s => s.Span).OrderByDescending(x => x.Count()).ThenBy(x => x.Key, StringComparer.Ordinal).First().Key,
                              Docs: v.Select(s => s.DocumentId).Distinct().Count()))
                .OrderByDescending(v => v.Docs).ThenBy(v => v.Span.Length).ThenBy(v => v.Span, StringComparer.Ordinal)
                .Take(maxPerCode)
                .Select(v => new SpanCodePair(v.Span, g.Key, PairSource.Silver, v.Docs)))
            .ToList();

    /// <summary>Normal form used to merge spans: no whitespace, full-width brackets and commas folded to ASCII.</summary>
    public static string Normalize(string span) => new string(span
        .Where(c => !char.IsWhiteSpace(c))
        .Select(c => c switch { '（' => '(', '）' => ')', '，' => ',', '．' => '.', _ => c })
        .ToArray());
}
