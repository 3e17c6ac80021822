using System.Text;

namespace IcdResearch.Inference.Constraints;

/// <summary>
/// A right-linear grammar over literal "units" (whole strings such as a candidate name, a separator, one source
/// character or a bracket): each rule is a list of alternatives, each alternative a sequence of units optionally
/// followed by one rule reference. Regular languages with shared suffixes — System A's answer grammars — fit in size
/// linear in the candidates or the source text. Its text form is the GBNF/EBNF that vLLM's <c>guided_grammar</c>
/// (xgrammar) reads, one quoted literal per unit, so the same grammar goes over the wire and back
/// (<see cref="ToGbnf"/>, <see cref="ParseGbnf"/>); <see cref="UnitGrammarConstraint"/> decodes under it.
/// </summary>
public sealed record UnitGrammar(IReadOnlyDictionary<string, IReadOnlyList<UnitGrammar.Alternative>> Rules, string Start = "root")
{
    /// <summary>Units in order, then the rule that continues (null: the answer may end here).</summary>
    public sealed record Alternative(IReadOnlyList<string> Units, string? Next = null);

    /// <summary>vLLM's <c>guided_choice</c>: the output is exactly one of <paramref name="choices"/>.</summary>
    public static UnitGrammar Choice(IEnumerable<string> choices)
    {
        var alternatives = choices.Distinct(StringComparer.Ordinal).Select(c => new Alternative([c])).ToList();
        if (alternatives.Count == 0) throw new ArgumentException("guided_choice needs at least one choice");
        return new UnitGrammar(new Dictionary<string, IReadOnlyList<Alternative>> { ["root"] = alternatives });
    }

    /// <summary>Checks that the start rule and every referenced rule exist.</summary>
    public UnitGrammar Validate()
    {
        if (!Rules.ContainsKey(Start)) throw new ArgumentException($"grammar has no start rule '{Start}'");
        foreach (var (name, alternatives) in Rules)
        {
            if (alternatives.Count == 0) throw new ArgumentException($"grammar rule '{name}' has no alternatives");
            foreach (var a in alternatives)
                if (a.Next is not null && !Rules.ContainsKey(a.Next)) throw new ArgumentException($"grammar rule '{name}' refers to undefined rule '{a.Next}'");
        }
        return this;
    }

    /// <summary>GBNF text: <c>name ::= "unit" "unit" next | ""</c>, one rule per line, the start rule first.</summary>
    public string ToGbnf()
    {
        var text = new StringBuilder();
        foreach (var name in Rules.Keys.OrderBy(n => n == Start ? 0 : 1))
        {
            text.Append(name).Append(" ::= ");
            text.AppendJoin(" | ", Rules[name].Select(a =>
            {
                var parts = a.Units.Select(Quote).ToList();
                if (a.Next is not null) parts.Add(a.Next);
                return parts.Count == 0 ? "\"\"" : string.Join(' ', parts);
            }));
            text.Append('\n');
        }
        return text.ToString();
    }

    static string Quote(string unit)
    {
        var s = new StringBuilder("\"");
        foreach (var c in unit)
            s.Append(c switch { '"' => "\\\"", '\\' => "\\\\", '\n' => "\\n", '\r' => "\\r", '\t' => "\\t", _ => c.ToString() });
        return s.Append('"').ToString();
    }

    /// <summary>
    /// Reads the GBNF subset <see cref="ToGbnf"/> writes: rules <c>name ::= alt | alt</c>, each alternative quoted
    /// literals followed by at most one rule name (right-linear). Anything else (character classes, repetition,
    /// groups, a reference before a literal) is rejected with the rule it is in, never approximated.
    /// </summary>
    public static UnitGrammar ParseGbnf(string text, string start = "root")
    {
        var tokens = Lex(text);
        var rules = new Dictionary<string, IReadOnlyList<Alternative>>(StringComparer.Ordinal);
        var i = 0;
        bool RuleStart(int k) => k + 1 < tokens.Count && tokens[k].Kind == 'i' && tokens[k + 1].Kind == '=';
        while (i < tokens.Count)
        {
            if (!RuleStart(i)) throw new FormatException($"grammar: expected 'name ::=' at '{tokens[i].Text}'");
            var name = tokens[i].Text;
            i += 2;
            var alternatives = new List<Alternative>();
            var units = new List<string>();
            string? next = null;
            while (true)
            {
                if (i >= tokens.Count || RuleStart(i) || tokens[i].Kind == '|')
                {
                    alternatives.Add(new Alternative(units, next));
                    units = []; next = null;
                    if (i < tokens.Count && tokens[i].Kind == '|') { i++; continue; }
                    break;
                }
                var t = tokens[i++];
                if (next is not null) throw new FormatException($"grammar rule '{name}': only right-linear rules are supported (a rule reference must end its alternative)");
                if (t.Kind == 's') { if (t.Text.Length > 0) units.Add(t.Text); }
                else if (t.Kind == 'i') next = t.Text;
                else throw new FormatException($"grammar rule '{name}': unexpected '{t.Text}'");
            }
            if (!rules.TryAdd(name, alternatives)) throw new FormatException($"grammar: rule '{name}' is defined twice");
        }
        try { return new UnitGrammar(rules, start).Validate(); }
        catch (ArgumentException e) { throw new FormatException(e.Message, e); }
    }

    /// <summary>Tokens: i = rule name, s = string literal (unescaped), = for ::=, | for alternation, ? for anything else.</summary>
    static List<(char Kind, string Text)> Lex(string text)
    {
        var tokens = new List<(char, string)>();
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (char.IsWhiteSpace(c)) { i++; continue; }
            if (c == '#') { while (i < text.Length && text[i] != '\n') i++; continue; }
            if (text.AsSpan(i).StartsWith("::=")) { tokens.Add(('=', "::=")); i += 3; continue; }
            if (c == '|') { tokens.Add(('|', "|")); i++; continue; }
            if (c == '"')
            {
                var s = new StringBuilder();
                i++;
                while (true)
                {
                    if (i >= text.Length) throw new FormatException("grammar: unterminated string literal");
                    var d = text[i++];
                    if (d == '"') break;
                    if (d != '\\') { s.Append(d); continue; }
                    if (i >= text.Length) throw new FormatException("grammar: unterminated escape");
                    var e = text[i++];
                    s.Append(e switch
                    {
                        'n' => "\n", 'r' => "\r", 't' => "\t", '"' => "\"", '\\' => "\\",
                        'u' when i + 4 <= text.Length => ((char)Convert.ToInt32(text.Substring(i, 4), 16)).ToString(),
                        _ => throw new FormatException($"grammar: unsupported escape \\{e}"),
                    });
                    if (e == 'u') i += 4;
                }
                tokens.Add(('s', s.ToString()));
                continue;
            }
            if (char.IsLetterOrDigit(c) || c is '_' or '-')
            {
                var from = i;
                while (i < text.Length && (char.IsLetterOrDigit(text[i]) || text[i] is '_' or '-')) i++;
                tokens.Add(('i', text[from..i]));
                continue;
            }
            tokens.Add(('?', c.ToString()));
            i++;
        }
        return tokens;
    }
}
