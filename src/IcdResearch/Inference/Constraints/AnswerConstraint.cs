using IcdResearch.Text;

namespace IcdResearch.Inference.Constraints;

/// <summary>
/// Token-level constrained decoding for an <see cref="AnswerGrammar"/> (System A only emits valid answers, §3):
/// the grammar is a sequence of "units" — a whole candidate name, the separator, one source character or a bracket —
/// and each unit is tokenized on its own; the allowed next tokens are read off a prefix trie over the encodings of
/// the units that may come next. <see cref="Allowed"/> returns the token ids that may follow the generated ids,
/// including the stop ids when the answer may end here.
/// </summary>
public sealed class AnswerConstraint
{
    readonly AnswerGrammar _grammar;
    readonly ITextTokenizer _tokenizer;
    readonly Dictionary<string, int[]> _encoded = new(StringComparer.Ordinal);
    readonly IReadOnlyList<string> _names;
    readonly Dictionary<string, int> _rank;

    public AnswerConstraint(AnswerGrammar grammar, ITextTokenizer tokenizer)
    {
        _grammar = grammar;
        _tokenizer = tokenizer;
        _names = grammar switch
        {
            AnswerGrammar.OneName g => g.Names,
            AnswerGrammar.NameSet g => g.Names,
            _ => [],
        };
        _rank = _names.Select((n, i) => (n, i)).ToDictionary(t => t.n, t => t.i, StringComparer.Ordinal);
    }

    /// <summary>Token ids allowed after <paramref name="generated"/>; null when the grammar is free; stop ids included when the answer may end.</summary>
    public IReadOnlyCollection<int>? Allowed(IReadOnlyList<int> generated)
    {
        if (_grammar is AnswerGrammar.Free) return null;
        var units = new List<string>();
        var pos = 0;
        while (true)
        {
            var trie = NextTrie(units);
            var node = trie;
            string? lastComplete = null; var lastCompletePos = pos;
            var p = pos;
            while (true)
            {
                if (node.Unit is not null) { lastComplete = node.Unit; lastCompletePos = p; }
                if (p < generated.Count && node.Children.TryGetValue(generated[p], out var child)) { node = child; p++; continue; }
                break;
            }
            if (p == generated.Count)
            {
                // At the end of the generated ids: continue the current unit, or (if it is complete) start the next one.
                var allowed = new HashSet<int>(node.Children.Keys);
                if (node.Unit is not null)
                {
                    var after = units.Append(node.Unit).ToList();
                    foreach (var first in NextTrie(after).Children.Keys) allowed.Add(first);
                    if (CanStop(after)) allowed.UnionWith(_tokenizer.StopIds);
                }
                else if (node == trie && CanStop(units)) allowed.UnionWith(_tokenizer.StopIds);
                return allowed;
            }
            if (lastComplete is null) return Array.Empty<int>(); // generated ids left the grammar: nothing is allowed
            units.Add(lastComplete);
            pos = lastCompletePos;
        }
    }

    readonly Dictionary<string, Node> _tries = new(StringComparer.Ordinal);

    /// <summary>Trie of the next units; for name grammars cached by the (at most two) units the choice depends on.</summary>
    Node NextTrie(IReadOnlyList<string> units)
    {
        if (_grammar is AnswerGrammar.BracketCopy) return Trie(NextUnits(units));
        var key = units.Count == 0 ? "\u0002" : units.Count == 1 ? units[0] : units[^2] + "\u0001" + units[^1];
        if (_grammar is AnswerGrammar.OneName) key = units.Count.ToString();
        if (!_tries.TryGetValue(key, out var trie)) _tries[key] = trie = Trie(NextUnits(units));
        return trie;
    }

    /// <summary>The units that may follow the given ones.</summary>
    IEnumerable<string> NextUnits(IReadOnlyList<string> units)
    {
        switch (_grammar)
        {
            case AnswerGrammar.OneName:
                return units.Count == 0 ? _names : [];
            case AnswerGrammar.NameSet:
                if (units.Count == 0) return _names.Append(AnswerGrammar.NameSet.None);
                var last = units[^1];
                if (last == AnswerGrammar.NameSet.None) return [];
                if (last == Separator) return _names.Where(n => _rank[n] > _rank[units[^2]]);
                return _rank[last] < _names.Count - 1 ? [Separator] : [];
            case AnswerGrammar.BracketCopy g:
                var (consumed, open, openLen) = CopyState(units);
                var list = new List<string>();
                if (consumed < g.Source.Length) list.Add(g.Source[consumed].ToString());
                if (!open && consumed < g.Source.Length) list.Add("[");
                if (open && openLen > 0) list.Add("]");
                return list;
            default:
                return [];
        }
    }

    bool CanStop(IReadOnlyList<string> units) => _grammar switch
    {
        AnswerGrammar.OneName => units.Count == 1,
        AnswerGrammar.NameSet => units.Count > 0 && units[^1] != Separator,
        AnswerGrammar.BracketCopy g => CopyState(units) is var s && s.Consumed == g.Source.Length && !s.Open,
        _ => true,
    };

    static string Separator => AnswerGrammar.NameSet.Separator.ToString();

    /// <summary>For bracket copying: source characters consumed, whether an entity is open, and its length so far.</summary>
    static (int Consumed, bool Open, int OpenLen) CopyState(IReadOnlyList<string> units)
    {
        int consumed = 0, openLen = 0; var open = false;
        foreach (var u in units)
        {
            if (u == "[" ) { open = true; openLen = 0; }
            else if (u == "]") open = false;
            else { consumed++; openLen++; }
        }
        return (consumed, open, openLen);
    }

    sealed class Node
    {
        public Dictionary<int, Node> Children { get; } = [];
        public string? Unit { get; set; }
    }

    Node Trie(IEnumerable<string> units)
    {
        var root = new Node();
        foreach (var unit in units)
        {
            if (!_encoded.TryGetValue(unit, out var ids)) _encoded[unit] = ids = _tokenizer.Encode(unit).ToArray();
            if (ids.Length == 0) continue;
            var node = root;
            foreach (var id in ids)
            {
                if (!node.Children.TryGetValue(id, out var child)) node.Children[id] = child = new Node();
                node = child;
            }
            node.Unit ??= unit;
        }
        return root;
    }
}
