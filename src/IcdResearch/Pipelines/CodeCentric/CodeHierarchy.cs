namespace IcdResearch.Pipelines.CodeCentric;

/// <summary>
/// ICD-10 hierarchy read off the DCCNCE 2.0 code string: category "I10", subcategory "I10.x" (ICD-10 four-character
/// level), national code "I10.x00", clinical extension "I10.x00x032". Used to pick the code space's neighbours
/// (§3.3) and the nearest evidence-bearing code for synthetic spans (Eq. 8).
/// </summary>
public static class CodeHierarchy
{
    /// <summary>The ICD-10 subcategory (first five characters, e.g. "I25.1"), or the whole code when shorter.</summary>
    public static string Subcategory(string code) => code.Length <= 5 ? code : code[..5];

    /// <summary>The three-character category ("I25").</summary>
    public static string Category(string code) => code.Length <= 3 ? code : code[..3];

    /// <summary>Depth of the deepest shared level: 0 none, 1 category, 2 subcategory, 3 national code, 4 identical.</summary>
    public static int SharedDepth(string a, string b)
    {
        if (a == b) return 4;
        if (Category(a) != Category(b)) return 0;
        if (Subcategory(a) != Subcategory(b)) return 1;
        return a.Length >= 7 && b.Length >= 7 && a[..7] == b[..7] ? 3 : 2;
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
