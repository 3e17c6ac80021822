namespace IcdResearch.Pipelines.CodeCentric;

/// <summary>
/// Synthetic span pairs (Zhang et al. §3.3, Eq. 8): for a code c with no clinical evidence (no silver span and no
/// alphabetic-index mention), take the nearest code c' in the ICD-10 hierarchy that has evidence and rewrite each of
/// its spans s' into a plausible span for c by transferring the character edit that turns name(c') into name(c):
/// characters of name(c') that name(c) lacks are removed from s' where s' contains them, and the characters name(c)
/// adds are inserted at the aligned place ("高血压病（3级，很高危）" for 3级 → 2级 becomes "高血压病（2级，很高危）").
/// The paper prompts an LLM with (c, c', s'); this deterministic rewrite plays that role with our small backbone.
/// Neighbours whose names are too dissimilar (LCS Dice below <c>minNameSimilarity</c>) are not used, and neither are
/// rewritten spans that end up that far from the target name (a noisy neighbour span such as "肺肾阴虚，冠心病").
/// </summary>
public sealed class SyntheticPairBuilder(IReadOnlyDictionary<string, string> codeNames, double minNameSimilarity = 0.5, int maxPerCode = 3)
{
    /// <summary>Synthetic pairs for every code of <paramref name="targets"/> without evidence in <paramref name="evidence"/>.</summary>
    public List<SpanCodePair> Build(IEnumerable<string> targets, IReadOnlyList<SpanCodePair> evidence)
    {
        var byCode = evidence.Where(p => p.Source is PairSource.Silver or PairSource.GoldIndex)
            .GroupBy(p => p.Code).ToDictionary(g => g.Key, g => g.OrderByDescending(p => p.Frequency).ThenBy(p => p.Span, StringComparer.Ordinal).ToList());
        var result = new List<SpanCodePair>();
        foreach (var code in targets.Distinct().Order(StringComparer.Ordinal))
        {
            if (byCode.ContainsKey(code) || !codeNames.TryGetValue(code, out var name)) continue;
            var similar = byCode.Keys.Where(c => codeNames.ContainsKey(c) && TextAlignment.LcsDice(name, codeNames[c]) >= minNameSimilarity);
            var neighbour = CodeHierarchy.Nearest(code, similar, codeNames);
            if (neighbour is null) continue;
            var spans = byCode[neighbour]
                .Select(p => Rewrite(p.Span, codeNames[neighbour], name))
                .Where(s => s is not null && s != name && TextAlignment.LcsDice(s, name) >= minNameSimilarity).Distinct().Take(maxPerCode);
            result.AddRange(spans.Select(s => new SpanCodePair(s!, code, PairSource.Synthetic, 1, neighbour)));
        }
        return result;
    }

    /// <summary>Transfers the edit name(c') → name(c) onto the span s'; null when the edit cannot be placed in s'.</summary>
    public static string? Rewrite(string span, string fromName, string toName)
    {
        var inSpan = TextAlignment.LcsPairs(fromName, span).ToDictionary(p => p.A, p => p.B);
        var kept = TextAlignment.LcsPairs(fromName, toName);
        var removed = new HashSet<int>();
        var inserts = new SortedDictionary<int, string>();
        var anchors = new List<(int A, int B)> { (-1, -1) };
        anchors.AddRange(kept);
        anchors.Add((fromName.Length, toName.Length));
        for (int k = 0; k + 1 < anchors.Count; k++)
        {
            var (a0, b0) = anchors[k];
            var (a1, b1) = anchors[k + 1];
            var deleted = Enumerable.Range(a0 + 1, a1 - a0 - 1).Where(inSpan.ContainsKey).Select(i => inSpan[i]).ToList();
            var inserted = toName[(b0 + 1)..b1];
            removed.UnionWith(deleted);
            if (inserted.Length == 0) continue;
            int? at = deleted.Count > 0 ? deleted.Min()
                : a0 >= 0 && inSpan.TryGetValue(a0, out var left) ? left + 1
                : a1 < fromName.Length && inSpan.TryGetValue(a1, out var right) ? right : null;
            if (at is null) return null;
            inserts[at.Value] = inserts.GetValueOrDefault(at.Value, "") + inserted;
        }
        var sb = new System.Text.StringBuilder();
        for (int j = 0; j <= span.Length; j++)
        {
            if (inserts.TryGetValue(j, out var ins)) sb.Append(ins);
            if (j < span.Length && !removed.Contains(j)) sb.Append(span[j]);
        }
        var rewritten = sb.ToString();
        return rewritten.Length == 0 || rewritten == span ? null : rewritten;
    }
}
