namespace IcdResearch.Text;

/// <summary>One turn of a chat conversation (role: system, user or assistant).</summary>
public sealed record ChatMessage(string Role, string Content);

/// <summary>
/// The tokenizer contract every model folder provides: Hugging Face byte-level BPE (Qwen2/2.5/3, Llama-3)
/// or the default backbone's character vocabulary. Implementations live in Text/.
/// </summary>
public interface ITextTokenizer
{
    int VocabSize { get; }

    /// <summary>Token ids of <paramref name="text"/>; special-token strings such as &lt;|im_start|&gt; map to their ids.</summary>
    IReadOnlyList<int> Encode(string text);

    string Decode(IEnumerable<int> ids, bool skipSpecialTokens = true);

    /// <summary>End-of-sequence / padding ids and the ids that stop generation (e.g. &lt;|im_end|&gt;, &lt;|endoftext|&gt;).</summary>
    int EosId { get; }
    int PadId { get; }
    IReadOnlyList<int> StopIds { get; }

    /// <summary>Renders messages with the model's chat template (ChatML for Qwen and the default backbone).</summary>
    string ApplyChatTemplate(IReadOnlyList<ChatMessage> messages, bool addGenerationPrompt);

    /// <summary>Writes the tokenizer files into a model folder so the folder is self-contained.</summary>
    void Save(string directory);
}
