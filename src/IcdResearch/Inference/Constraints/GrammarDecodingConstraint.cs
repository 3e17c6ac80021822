using IcdResearch.Inference;
using IcdResearch.Text;

namespace IcdResearch.Inference.Constraints;

/// <summary>
/// Adapts an <see cref="AnswerConstraint"/> (allowed next tokens given the tokens so far) to the generator's finite-state
/// <see cref="IDecodingConstraint"/>: a state is the index of a generated-token history. One instance serves one
/// generation call (its states grow with the tokens generated). The lm's <see cref="PrefixTrieConstraint"/> covers a
/// single name; System A also needs ordered name sets and bracket copies, hence this adapter.
/// </summary>
public sealed class GrammarDecodingConstraint : IDecodingConstraint
{
    readonly AnswerConstraint _grammar;
    readonly HashSet<int> _stops;
    readonly List<int[]> _histories = [[]];
    readonly Dictionary<(int, int), int> _next = [];
    readonly Dictionary<int, (int[] Allowed, bool CanStop)> _allowed = [];

    public GrammarDecodingConstraint(AnswerGrammar grammar, ITextTokenizer tokenizer)
    {
        _grammar = new AnswerConstraint(grammar, tokenizer);
        _stops = tokenizer.StopIds.Append(tokenizer.EosId).ToHashSet();
    }

    public int Start => 0;

    public IReadOnlyList<int> AllowedTokens(int state) => Lookup(state).Allowed;

    public bool CanStop(int state) => Lookup(state).CanStop;

    public int Advance(int state, int token)
    {
        if (_next.TryGetValue((state, token), out var known)) return known;
        _histories.Add([.. _histories[state], token]);
        return _next[(state, token)] = _histories.Count - 1;
    }

    (int[] Allowed, bool CanStop) Lookup(int state)
    {
        if (_allowed.TryGetValue(state, out var cached)) return cached;
        var allowed = _grammar.Allowed(_histories[state]) ?? throw new InvalidOperationException("free grammars need no constraint");
        return _allowed[state] = (allowed.Where(t => !_stops.Contains(t)).ToArray(), allowed.Any(_stops.Contains));
    }
}
