using IcdResearch.Data;

namespace IcdResearch.Pipelines.CodeCentric;

/// <summary>
/// Gold span pairs from official knowledge (CCL paper §3.3, "gold"): every DCCNCE 2.0 name → code in the training
/// code space and its subcategory neighbours (the Tabular List role), and every CHIP-CDN mention with exactly one
/// standard term that is an unambiguous DCCNCE name of such a code → that code (the Alphabetic Index role; mentions
/// normalised to several terms are not minimal evidence for one code and are left out, and counted).
/// </summary>
public sealed class GoldPairBuilder(IReadOnlyDictionary<string, string> codeNames)
{
    /// <summary>A normalisation example: raw mention and its standard terms (CHIP-CDN "##"-joined result, split).</summary>
    public sealed record Mention(string Text, IReadOnlyList<string> Terms);

    /// <summary>The code space plus every DCCNCE code sharing an ICD-10 subcategory with one of its codes.</summary>
    public SortedSet<string> Scope(IEnumerable<string> codeSpace)
    {
        var subcategories = codeSpace.Select(CodeTable.Subcategory).ToHashSet();
        var scope = new SortedSet<string>(codeSpace, StringComparer.Ordinal);
        foreach (var code in codeNames.Keys)
            if (subcategories.Contains(CodeTable.Subcategory(code))) scope.Add(code);
        return scope;
    }

    /// <summary>Tabular-List pairs: the official name of each code in scope.</summary>
    public List<SpanCodePair> Tabular(IEnumerable<string> scope) =>
        scope.Where(codeNames.ContainsKey).Select(c => new SpanCodePair(codeNames[c], c, PairSource.GoldTabular)).ToList();

    /// <summary>Alphabetic-Index pairs from mentions, merged per (mention, code) with frequencies.</summary>
    public (List<SpanCodePair> Pairs, int MultiTermSkipped) Index(IEnumerable<Mention> mentions, IReadOnlySet<string> scope)
    {
        var byName = codeNames.GroupBy(kv => kv.Value, StringComparer.Ordinal)
            .Where(g => g.Count() == 1).ToDictionary(g => g.Key, g => g.Single().Key, StringComparer.Ordinal);
        var counts = new Dictionary<(string, string), int>();
        int multi = 0;
        foreach (var m in mentions)
        {
            var terms = m.Terms.Select(t => t.Trim()).Where(t => t.Length > 0).Distinct().ToList();
            if (terms.Count != 1) { multi += terms.Count > 1 ? 1 : 0; continue; }
            var text = m.Text.Trim();
            if (text.Length == 0 || !byName.TryGetValue(terms[0], out var code) || !scope.Contains(code) || text == terms[0]) continue;
            counts[(text, code)] = counts.GetValueOrDefault((text, code)) + 1;
        }
        var pairs = counts.OrderBy(kv => kv.Key.Item2, StringComparer.Ordinal).ThenBy(kv => kv.Key.Item1, StringComparer.Ordinal)
            .Select(kv => new SpanCodePair(kv.Key.Item1, kv.Key.Item2, PairSource.GoldIndex, kv.Value)).ToList();
        return (pairs, multi);
    }
}
