namespace IcdResearch.Pipelines.CodeCentric;

/// <summary>
/// Deterministic stage-1 miner (documented fallback for Zhang et al. Eq. 6 when the small backbone cannot follow the mining
/// prompt): for each surface form of the code (its DCCNCE name and any known aliases such as CHIP-CDN mentions), find
/// the document segment whose minimal LCS window covers the form best, and return that window verbatim. Segments
/// opening with a negation (否认/无/未) are skipped; ties go to the earliest segment, so 入院诊断 (placed first in
/// the document) wins over narrative fields. Forms of at most <c>exactBelow</c> characters (e.g. 冠心病) must occur
/// verbatim: a partial match of a 3-character form is too often another disease (血脂高 vs 血压高).
/// </summary>
public sealed class AlignmentSpanExtractor(IReadOnlyDictionary<string, IReadOnlyList<string>>? aliases = null,
    double minCoverage = 0.6, double minCompactness = 0.6, int exactBelow = 4) : ISpanExtractor
{
    static readonly string[] Negations = ["否认", "无", "未"];

    public string Name => "alignment";

    public string? Extract(string document, string code, string codeName)
    {
        var forms = new List<string> { codeName };
        if (aliases is not null && aliases.TryGetValue(code, out var extra)) forms.AddRange(extra);
        var segments = DocumentSegments.Split(document);
        (double Score, int Offset, string Span)? best = null;
        foreach (var form in forms.Where(f => f.Length >= 2).Distinct())
            foreach (var seg in segments)
            {
                if (Negations.Any(seg.Text.TrimStart().StartsWith)) continue;
                if (form.Length <= exactBelow && !seg.Text.Contains(form, StringComparison.Ordinal)) continue;
                if (TextAlignment.LcsLength(form, seg.Text) < minCoverage * form.Length) continue;
                var (start, length, lcs) = TextAlignment.MinimalWindow(form, seg.Text);
                double coverage = (double)lcs / form.Length, compactness = (double)lcs / length;
                if (coverage < minCoverage || compactness < minCompactness || length < 2) continue;
                double score = 2 * coverage * compactness / (coverage + compactness);
                int offset = seg.Offset + start;
                if (best is null || score > best.Value.Score + 1e-9 || (Math.Abs(score - best.Value.Score) <= 1e-9 && offset < best.Value.Offset))
                    best = (score, offset, seg.Text.Substring(start, length));
            }
        return best?.Span;
    }
}
