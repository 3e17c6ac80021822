using IcdResearch.Inference.Constraints;

namespace IcdResearch.Pipelines.SystemA;

/// <summary>
/// The candidate disease names of one task (system paper §3, Figures 2–3): the DCCNCE 2.0 names of the codes that can
/// be answered (5 primary codes; the other-diagnosis codes seen in training). The model answers with names, which map
/// back to codes one to one. Other-diagnosis answers list names in this canonical order, separated by <see cref="Separator"/>.
/// </summary>
public sealed class DiseaseCandidates
{
    public const char Separator = AnswerGrammar.NameSet.Separator;
    readonly Dictionary<string, string> _nameOf;
    readonly Dictionary<string, string> _codeOf;
    readonly Dictionary<string, int> _rank;

    /// <param name="codes">Codes in canonical order (the order names are listed in prompts and answers).</param>
    /// <param name="nameOf">DCCNCE 2.0 name of a code.</param>
    public DiseaseCandidates(IEnumerable<string> codes, Func<string, string> nameOf)
    {
        Codes = codes.Distinct(StringComparer.Ordinal).ToList();
        _nameOf = Codes.ToDictionary(c => c, c => nameOf(c).Trim(), StringComparer.Ordinal);
        _codeOf = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (code, name) in _nameOf)
        {
            if (name.Length == 0) throw new ArgumentException($"Code {code} has an empty disease name.");
            if (name.Contains(Separator)) throw new ArgumentException($"Disease name '{name}' of {code} contains the answer separator '{Separator}'.");
            if (!_codeOf.TryAdd(name, code)) throw new ArgumentException($"Codes {_codeOf[name]} and {code} share the name '{name}'; answers could not be mapped back.");
        }
        _rank = Codes.Select((c, i) => (c, i)).ToDictionary(t => t.c, t => t.i, StringComparer.Ordinal);
    }

    public IReadOnlyList<string> Codes { get; }

    /// <summary>The same candidates, listed in the prompt (Lv et al. Figures 2–3 always list them).</summary>
    public DiseaseCandidates Listed() => new(Codes, c => _nameOf[c]) { ListedInPrompt = true };

    /// <summary>Whether prompts list the names (paper Figures 2–3); when false the prompt omits the candidate line.</summary>
    public bool ListedInPrompt { get; init; } = true;
    public IReadOnlyList<string> Names => Codes.Select(c => _nameOf[c]).ToList();
    public int Count => Codes.Count;
    public bool Contains(string code) => _nameOf.ContainsKey(code);
    public string NameOf(string code) => _nameOf.TryGetValue(code, out var n) ? n : throw new ArgumentException($"Code {code} is not a candidate.");
    public string? CodeOf(string name) => _codeOf.GetValueOrDefault(name.Trim());

    /// <summary>The prompt's candidate list: names joined by the separator, in canonical order.</summary>
    public string PromptList() => string.Join(Separator, Names);

    /// <summary>An other-diagnosis answer: the names of the given codes (candidates only) in canonical order; "无" when empty.</summary>
    public string FormatSet(IEnumerable<string> codes)
    {
        var names = codes.Where(Contains).Distinct(StringComparer.Ordinal).OrderBy(c => _rank[c]).Select(c => _nameOf[c]).ToList();
        return names.Count == 0 ? None : string.Join(Separator, names);
    }

    /// <summary>Answer text for "no other diagnosis".</summary>
    public const string None = AnswerGrammar.NameSet.None;

    /// <summary>Codes of a separator-joined answer; names that are not candidates are ignored (constrained decoding never emits them).</summary>
    public List<string> ParseSet(string answer)
        => answer.Split([Separator, '；'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(CodeOf).OfType<string>().Distinct(StringComparer.Ordinal).ToList();
}
