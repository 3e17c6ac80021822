using IcdResearch.Text;

namespace IcdResearch.Inference.Constraints;

/// <summary>
/// Constrained decoding over a prefix trie of the token sequences of allowed strings (e.g. valid disease names or
/// ICD codes), so the model can only emit one of them — or, with a <c>separator</c>, a list such as "A;B" where
/// each item is allowed. Each string and the separator are tokenized on their own.
/// </summary>
public sealed class PrefixTrieConstraint : IDecodingConstraint
{
    readonly List<Dictionary<int, int>> _children = [];
    readonly List<bool> _complete = [];
    readonly List<int[]> _allowed = [];

    public int Start => 0;

    /// <summary>Number of distinct allowed strings.</summary>
    public int Count { get; }

    public PrefixTrieConstraint(IEnumerable<IReadOnlyList<int>> sequences, IReadOnlyList<int>? separator = null)
    {
        NewNode();
        foreach (var sequence in sequences)
        {
            if (sequence.Count == 0) throw new ArgumentException("an allowed string tokenizes to no tokens");
            var node = 0;
            foreach (var token in sequence)
            {
                if (!_children[node].TryGetValue(token, out var next)) _children[node][token] = next = NewNode();
                node = next;
            }
            if (!_complete[node]) Count++;
            _complete[node] = true;
        }
        if (Count == 0) throw new ArgumentException("a prefix-trie constraint needs at least one allowed string");
        if (separator is { Count: > 0 }) AddSeparator(separator);
        for (var i = 0; i < _children.Count; i++) _allowed.Add(_children[i].Keys.Order().ToArray());
    }

    /// <summary>Tokenizes <paramref name="allowed"/> (and the optional <paramref name="separator"/>) with <paramref name="tokenizer"/>.</summary>
    public static PrefixTrieConstraint FromStrings(ITextTokenizer tokenizer, IEnumerable<string> allowed, string? separator = null)
    {
        var strings = allowed.Where(s => !string.IsNullOrEmpty(s)).Distinct(StringComparer.Ordinal).ToList();
        return new PrefixTrieConstraint(strings.Select(tokenizer.Encode), string.IsNullOrEmpty(separator) ? null : tokenizer.Encode(separator));
    }

    int NewNode()
    {
        _children.Add([]);
        _complete.Add(false);
        return _children.Count - 1;
    }

    /// <summary>From every complete node, the separator's tokens lead back to the root (one shared chain).</summary>
    void AddSeparator(IReadOnlyList<int> separator)
    {
        var chain = new int[separator.Count];   // chain[i] = node reached after separator[i]
        for (var i = 0; i < separator.Count - 1; i++) chain[i] = NewNode();
        chain[^1] = 0;
        for (var i = 1; i < separator.Count; i++) _children[chain[i - 1]][separator[i]] = chain[i];
        for (var node = 0; node < _complete.Count; node++)
        {
            if (!_complete[node]) continue;
            if (_children[node].TryGetValue(separator[0], out var existing) && existing != chain[0])
                throw new ArgumentException("an allowed string continues with the separator's first token, so lists would be ambiguous; choose another separator");
            _children[node][separator[0]] = chain[0];
        }
    }

    public IReadOnlyList<int> AllowedTokens(int state) => _allowed[state];

    public bool CanStop(int state) => _complete[state];

    public int Advance(int state, int token) =>
        _children[state].TryGetValue(token, out var next)
            ? next
            : throw new InvalidOperationException($"token {token} is not allowed by the prefix-trie constraint in state {state}");
}
