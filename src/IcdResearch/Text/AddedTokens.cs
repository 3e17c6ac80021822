using System.Text.RegularExpressions;

namespace IcdResearch.Text;

/// <summary>A token added on top of the base vocabulary (e.g. &lt;|im_start|&gt;); <see cref="Special"/> ones are skipped when decoding with skipSpecialTokens.</summary>
public sealed record AddedToken(string Content, int Id, bool Special = true);

/// <summary>
/// The added tokens of a tokenizer and the splitter that extracts them from raw text before normalisation and
/// pre-tokenisation, as Hugging Face does (leftmost match, longest token first at a given position).
/// </summary>
public sealed class AddedTokens
{
    private readonly Dictionary<string, AddedToken> _byContent;
    private readonly Dictionary<int, AddedToken> _byId;
    private readonly Regex? _splitter;

    public AddedTokens(IEnumerable<AddedToken> tokens)
    {
        All = tokens.OrderBy(t => t.Id).ToList();
        _byContent = new Dictionary<string, AddedToken>(StringComparer.Ordinal);
        _byId = new Dictionary<int, AddedToken>();
        foreach (var t in All)
        {
            if (string.IsNullOrEmpty(t.Content)) throw new ArgumentException($"Added token with id {t.Id} has empty content.");
            if (!_byContent.TryAdd(t.Content, t) && _byContent[t.Content].Id != t.Id)
                throw new ArgumentException($"Added token '{t.Content}' has two ids: {_byContent[t.Content].Id} and {t.Id}.");
            if (!_byId.TryAdd(t.Id, t) && _byId[t.Id].Content != t.Content)
                throw new ArgumentException($"Added token id {t.Id} is used by '{_byId[t.Id].Content}' and '{t.Content}'.");
        }
        if (All.Count > 0)
            _splitter = new Regex(string.Join("|", _byContent.Keys.OrderByDescending(k => k.Length).Select(Regex.Escape)),
                RegexOptions.CultureInvariant);
    }

    public IReadOnlyList<AddedToken> All { get; }

    public bool TryGet(string content, out AddedToken token) => _byContent.TryGetValue(content, out token!);

    public bool TryGet(int id, out AddedToken token) => _byId.TryGetValue(id, out token!);

    /// <summary>Splits text into plain segments (Token null) and added tokens, in order; no empty segments.</summary>
    public IReadOnlyList<(string Text, AddedToken? Token)> Split(string text)
    {
        var parts = new List<(string, AddedToken?)>();
        var end = 0;
        if (_splitter is not null)
            foreach (var m in _splitter.EnumerateMatches(text))
            {
                if (m.Index > end) parts.Add((text[end..m.Index], null));
                var content = text.Substring(m.Index, m.Length);
                parts.Add((content, _byContent[content]));
                end = m.Index + m.Length;
            }
        if (end < text.Length) parts.Add((text[end..], null));
        return parts;
    }
}
