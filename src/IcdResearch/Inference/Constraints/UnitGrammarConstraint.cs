using IcdResearch.Text;

namespace IcdResearch.Inference.Constraints;

/// <summary>
/// Token-level decoding under a <see cref="UnitGrammar"/>: every unit is tokenized on its own (as fine-tuning saw it)
/// and the grammar becomes a token automaton whose positions are (alternative, unit, token offset); a state is the set
/// of live positions, so the allowed next tokens are exact even when one unit's tokens are a prefix of another's.
/// Stop tokens are allowed where an alternative with no continuation has been completed. States are interned, so one
/// instance serves every sequence of a batch. <see cref="Spell"/> returns the units a token sequence spelled, exactly
/// as written in the grammar (characters a char-level vocabulary lacks survive).
/// </summary>
public sealed class UnitGrammarConstraint : IDecodingConstraint
{
    readonly record struct Pos(int Alt, int Unit, int Off);

    readonly int[][][] _tokens;        // [alt][unit] → token ids
    readonly string[][] _units;        // [alt][unit] → unit text
    readonly int[]?[] _next;           // [alt] → alternatives of the continuing rule, null = may end
    readonly int[] _start;
    readonly List<(Pos[] Live, bool Accept)> _states = [];
    readonly Dictionary<string, int> _ids = new(StringComparer.Ordinal);
    readonly Dictionary<(int, int), int> _advance = [];
    readonly Dictionary<int, int[]> _allowed = [];

    public UnitGrammar Grammar { get; }

    public UnitGrammarConstraint(UnitGrammar grammar, ITextTokenizer tokenizer)
    {
        Grammar = grammar.Validate();
        var ruleNames = grammar.Rules.Keys.ToList();
        var firstAlt = new Dictionary<string, int>(StringComparer.Ordinal);
        var alts = new List<UnitGrammar.Alternative>();
        foreach (var name in ruleNames) { firstAlt[name] = alts.Count; alts.AddRange(grammar.Rules[name]); }
        int[] AltsOf(string rule) => Enumerable.Range(firstAlt[rule], grammar.Rules[rule].Count).ToArray();
        var encoded = new Dictionary<string, int[]>(StringComparer.Ordinal);
        _units = alts.Select(a => a.Units.ToArray()).ToArray();
        _tokens = alts.Select(a => a.Units.Select(u => encoded.TryGetValue(u, out var ids) ? ids : encoded[u] = tokenizer.Encode(u).ToArray()).ToArray()).ToArray();
        _next = alts.Select(a => a.Next is null ? null : AltsOf(a.Next)).ToArray();
        _start = AltsOf(grammar.Start);
        Start = Intern(Closure(_start.Select(a => new Pos(a, 0, 0))));
    }

    public int Start { get; }

    public IReadOnlyList<int> AllowedTokens(int state)
    {
        if (_allowed.TryGetValue(state, out var cached)) return cached;
        return _allowed[state] = _states[state].Live.Select(p => _tokens[p.Alt][p.Unit][p.Off]).Distinct().Order().ToArray();
    }

    public bool CanStop(int state) => _states[state].Accept;

    public int Advance(int state, int token)
    {
        if (_advance.TryGetValue((state, token), out var known)) return known;
        var moved = _states[state].Live.Where(p => _tokens[p.Alt][p.Unit][p.Off] == token).Select(p => p with { Off = p.Off + 1 }).ToList();
        if (moved.Count == 0) throw new InvalidOperationException($"token {token} is not allowed by the grammar in state {state}");
        return _advance[(state, token)] = Intern(Closure(moved));
    }

    /// <summary>
    /// The text of the units <paramref name="tokens"/> completed (a unit still being generated when the tokens end is
    /// left out); null when the tokens leave the grammar.
    /// </summary>
    public string? Spell(IReadOnlyList<int> tokens)
    {
        var paths = new Dictionary<Pos, string>();
        bool accepted = false; string? acceptedText = null;
        void Close(IEnumerable<(Pos, string)> seeds)
        {
            accepted = false; acceptedText = null;
            var work = new Stack<(Pos, string)>(seeds);
            var seen = new HashSet<Pos>();
            paths.Clear();
            while (work.Count > 0)
            {
                var (p, text) = work.Pop();
                if (!seen.Add(p)) continue;
                foreach (var step in Steps(p, text)) work.Push(step);
                if (IsLive(p)) paths.TryAdd(p, text);
                else if (p.Unit == _tokens[p.Alt].Length && _next[p.Alt] is null && !accepted) { accepted = true; acceptedText = text; }
            }
        }
        Close(_start.Select(a => (new Pos(a, 0, 0), "")));
        foreach (var token in tokens)
        {
            var moved = paths.Where(kv => _tokens[kv.Key.Alt][kv.Key.Unit][kv.Key.Off] == token).Select(kv => (kv.Key with { Off = kv.Key.Off + 1 }, kv.Value)).ToList();
            if (moved.Count == 0) return null;
            Close(moved);
        }
        return accepted ? acceptedText : paths.Values.FirstOrDefault();
    }

    bool IsLive(Pos p) => p.Unit < _tokens[p.Alt].Length && p.Off < _tokens[p.Alt][p.Unit].Length;

    /// <summary>ε-moves out of a position: past a completed unit, or into the continuing rule's alternatives.</summary>
    IEnumerable<(Pos, string)> Steps(Pos p, string text)
    {
        var units = _tokens[p.Alt];
        if (p.Unit < units.Length && p.Off == units[p.Unit].Length)
            yield return (new Pos(p.Alt, p.Unit + 1, 0), text + _units[p.Alt][p.Unit]);
        else if (p.Unit == units.Length && _next[p.Alt] is { } next)
            foreach (var a in next) yield return (new Pos(a, 0, 0), text);
    }

    (Pos[] Live, bool Accept) Closure(IEnumerable<Pos> seeds)
    {
        var live = new HashSet<Pos>();
        var seen = new HashSet<Pos>();
        var accept = false;
        var work = new Stack<Pos>(seeds);
        while (work.Count > 0)
        {
            var p = work.Pop();
            if (!seen.Add(p)) continue;
            if (IsLive(p)) live.Add(p);
            else if (p.Unit == _tokens[p.Alt].Length && _next[p.Alt] is null) accept = true;
            foreach (var (q, _) in Steps(p, "")) work.Push(q);
        }
        return (live.OrderBy(p => p.Alt).ThenBy(p => p.Unit).ThenBy(p => p.Off).ToArray(), accept);
    }

    int Intern((Pos[] Live, bool Accept) state)
    {
        var key = (state.Accept ? "A" : "") + string.Join(';', state.Live.Select(p => $"{p.Alt},{p.Unit},{p.Off}"));
        if (_ids.TryGetValue(key, out var id)) return id;
        _states.Add(state);
        return _ids[key] = _states.Count - 1;
    }
}
