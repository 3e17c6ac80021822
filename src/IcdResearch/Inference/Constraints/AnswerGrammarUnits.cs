namespace IcdResearch.Inference.Constraints;

/// <summary>
/// System A's answer grammars (§3) as <see cref="UnitGrammar"/>s — the one form in which they are decoded in process
/// and sent to an OpenAI-compatible server (vLLM's <c>guided_choice</c> for one name, <c>guided_grammar</c> otherwise):
/// <list type="bullet">
/// <item>one name: <c>root ::= "name₁" | … | "nameₖ"</c>;</item>
/// <item>name set (distinct names in canonical order joined by ';', or "无"): <c>root ::= "无" | t1</c>,
/// <c>tᵢ ::= rᵢ | tᵢ₊₁</c> (start at name i or later), <c>rᵢ ::= "nameᵢ" | "nameᵢ" ";" tᵢ₊₁</c> — linear in k;</item>
/// <item>bracket copy of a source s₁…sₙ: <c>cᵢ</c> (no entity open) <c>::= "sᵢ" cᵢ₊₁ | "[" "sᵢ" oᵢ₊₁</c>, <c>oᵢ</c>
/// (inside a non-empty entity) <c>::= "sᵢ" oᵢ₊₁ | "]" cᵢ</c>, <c>cₙ₊₁ ::= ""</c>, <c>oₙ₊₁ ::= "]" cₙ₊₁</c>.</item>
/// </list>
/// </summary>
public static class AnswerGrammarUnits
{
    public static UnitGrammar ToUnitGrammar(this AnswerGrammar grammar) => grammar switch
    {
        AnswerGrammar.OneName g => UnitGrammar.Choice(g.Names),
        AnswerGrammar.NameSet g => NameSet(g.Names),
        AnswerGrammar.BracketCopy g => BracketCopy(g.Source),
        _ => throw new ArgumentException("a free answer has no grammar"),
    };

    /// <summary>The names for vLLM's <c>guided_choice</c> when the grammar is one name, else null (send the grammar).</summary>
    public static IReadOnlyList<string>? Choices(this AnswerGrammar grammar) => grammar is AnswerGrammar.OneName g ? g.Names : null;

    static UnitGrammar NameSet(IReadOnlyList<string> names)
    {
        if (names.Count == 0) throw new ArgumentException("a name set needs at least one name");
        var sep = AnswerGrammar.NameSet.Separator.ToString();
        var rules = new Dictionary<string, IReadOnlyList<UnitGrammar.Alternative>> { ["root"] = [new([AnswerGrammar.NameSet.None]), new([], "t0")] };
        for (var i = 0; i < names.Count; i++)
        {
            rules[$"t{i}"] = i + 1 < names.Count ? [new([], $"r{i}"), new([], $"t{i + 1}")] : [new([], $"r{i}")];
            rules[$"r{i}"] = i + 1 < names.Count ? [new([names[i]]), new([names[i], sep], $"t{i + 1}")] : [new([names[i]])];
        }
        return new UnitGrammar(rules).Validate();
    }

    static UnitGrammar BracketCopy(string source)
    {
        var n = source.Length;
        var rules = new Dictionary<string, IReadOnlyList<UnitGrammar.Alternative>>();
        string C(int i) => i == 0 ? "root" : $"c{i}";
        for (var i = 0; i < n; i++)
        {
            var s = source[i].ToString();
            rules[C(i)] = [new([s], C(i + 1)), new(["[", s], $"o{i + 1}")];
            if (i > 0) rules[$"o{i}"] = [new([s], $"o{i + 1}"), new(["]"], C(i))];
        }
        rules[C(n)] = [new([])];
        if (n > 0) rules[$"o{n}"] = [new(["]"], C(n))];
        return new UnitGrammar(rules).Validate();
    }
}
