using IcdResearch.Text;

namespace IcdResearch.Tests;

/// <summary>A test-only character tokenizer (one id per distinct char, grown on demand; id 0 = stop).</summary>
internal sealed class FakeCharTokenizer : ITextTokenizer
{
    readonly Dictionary<char, int> _ids = [];
    readonly List<char> _chars = ['\0'];

    public int VocabSize => _chars.Count;
    public int EosId => 0;
    public int PadId => 0;
    public IReadOnlyList<int> StopIds => [0];

    public IReadOnlyList<int> Encode(string text) => text.Select(c =>
    {
        if (!_ids.TryGetValue(c, out var id)) { _ids[c] = id = _chars.Count; _chars.Add(c); }
        return id;
    }).ToList();

    public string Decode(IEnumerable<int> ids, bool skipSpecialTokens = true) => new(ids.Where(i => i != 0).Select(i => _chars[i]).ToArray());
    public string ApplyChatTemplate(IReadOnlyList<ChatMessage> messages, bool addGenerationPrompt) => string.Concat(messages.Select(m => m.Content));
    public void Save(string directory) => throw new NotSupportedException();
}
