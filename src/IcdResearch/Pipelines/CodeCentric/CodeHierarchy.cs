using IcdResearch.Data;

namespace IcdResearch.Pipelines.CodeCentric;

/// <summary>
/// Nearness in the ICD-10 hierarchy (levels from <see cref="CodeTable"/>: category "I10", subcategory "I10.x", base
/// code "I10.x00", national extension "I10.x00x032"), used to pick the nearest evidence-bearing code for synthetic
/// spans (Zhang et al. Eq. 8).
/// </summary>
public static class CodeHierarchy
{
    /// <summary>Depth of the deepest shared level: 0 none, 1 category, 2 subcategory, 3 national code, 4 identical.</summary>
    public static int SharedDepth(string a, string b)
    {
        if (a == b) return 4;
        if (CodeTable.Category(a) != CodeTable.Category(b)) return 0;
        if (CodeTable.Subcategory(a) != CodeTable.Subcategory(b)) return 1;
        return CodeTable.BaseCode(a) == CodeTable.BaseCode(b) ? 3 : 2;
    }

    /// <summary>
    /// The nearest candidate to <paramref name="code"/> in the hierarchy (deepest shared level), ties broken by the
    /// similarity of the disease names (LCS Dice) and then by code order; null when no candidate shares the category.
    /// </summary>
    public static string? Nearest(string code, IEnumerable<string> candidates, IReadOnlyDictionary<string, string> names)
    {
        string name = names.GetValueOrDefault(code, code);
        return candidates.Where(c => c != code && SharedDepth(code, c) > 0)
            .OrderByDescending(c => SharedDepth(code, c))
            .ThenByDescending(c => TextAlignment.LcsDice(name, names.GetValueOrDefault(c, c)))
            .ThenBy(c => c, StringComparer.Ordinal)
            .FirstOrDefault();
    }
}
