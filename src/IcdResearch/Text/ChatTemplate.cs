namespace IcdResearch.Text;

/// <summary>
/// The ChatML chat template used by Qwen2/2.5/3 and by the default backbone:
/// <c>&lt;|im_start|&gt;role\ncontent&lt;|im_end|&gt;\n</c> per message, and <c>&lt;|im_start|&gt;assistant\n</c> as the generation prompt.
/// </summary>
public sealed class ChatTemplate
{
    public const string ImStart = "<|im_start|>";
    public const string ImEnd = "<|im_end|>";
    public const string EndOfText = "<|endoftext|>";

    /// <summary>Plain ChatML: no system message is inserted when the conversation has none.</summary>
    public static ChatTemplate ChatMl { get; } = new(null);

    /// <param name="defaultSystemPrompt">Inserted as the first message when the conversation has no system message
    /// (Qwen2-Instruct's template uses "You are a helpful assistant."); null inserts nothing.</param>
    public ChatTemplate(string? defaultSystemPrompt) => DefaultSystemPrompt = defaultSystemPrompt;

    public string? DefaultSystemPrompt { get; }

    /// <summary>The same template in Hugging Face's Jinja form, written to tokenizer_config.json as <c>chat_template</c>.</summary>
    public string Jinja =>
        (DefaultSystemPrompt is null ? "" :
            "{% if messages[0]['role'] != 'system' %}{{ '<|im_start|>system\n" + DefaultSystemPrompt.Replace("'", "\\'") + "<|im_end|>\n' }}{% endif %}") +
        "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n' }}{% endfor %}" +
        "{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}";

    public string Render(IReadOnlyList<ChatMessage> messages, bool addGenerationPrompt)
    {
        var sb = new System.Text.StringBuilder();
        if (DefaultSystemPrompt is not null && (messages.Count == 0 || messages[0].Role != "system"))
            Append(sb, new ChatMessage("system", DefaultSystemPrompt));
        foreach (var m in messages) Append(sb, m);
        if (addGenerationPrompt) sb.Append(ImStart).Append("assistant\n");
        return sb.ToString();
    }

    private static void Append(System.Text.StringBuilder sb, ChatMessage m)
    {
        if (string.IsNullOrWhiteSpace(m.Role) || m.Role.Any(char.IsWhiteSpace) || m.Role.Contains("<|"))
            throw new ArgumentException($"Invalid chat role '{m.Role}': a role is one word such as system, user or assistant.");
        sb.Append(ImStart).Append(m.Role).Append('\n').Append(m.Content).Append(ImEnd).Append('\n');
    }
}
