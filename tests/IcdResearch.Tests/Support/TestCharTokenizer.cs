using IcdResearch.Text;

namespace IcdResearch.Tests;

/// <summary>Test-only tokenizer: ids 0 &lt;pad&gt;, 1 &lt;bos&gt;, 2 &lt;eos&gt;, then one id per character of a small alphabet.</summary>
internal sealed class TestCharTokenizer : ITextTokenizer
{
    const string Alphabet = "abcdefghijklmnopqrstuvwxyz;, .";
    public int VocabSize => 3 + Alphabet.Length;
    public int PadId => 0;
    public int EosId => 2;
    public IReadOnlyList<int> StopIds => [2];

    public IReadOnlyList<int> Encode(string text) =>
        text.Select(c => Alphabet.IndexOf(c) is var i and >= 0 ? i + 3 : throw new ArgumentException($"'{c}' not in the test alphabet")).ToList();

    public string Decode(IEnumerable<int> ids, bool skipSpecialTokens = true) =>
        string.Concat(ids.Select(id => id >= 3 ? Alphabet[id - 3].ToString() : skipSpecialTokens ? "" : $"<{id}>"));

    public string ApplyChatTemplate(IReadOnlyList<ChatMessage> messages, bool addGenerationPrompt) =>
        string.Concat(messages.Select(m => m.Content + ". "));

    public void Save(string directory) => throw new NotSupportedException();
}
