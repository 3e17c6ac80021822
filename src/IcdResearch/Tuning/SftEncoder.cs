using IcdResearch.Text;

namespace IcdResearch.Tuning;

/// <summary>Token ids of one example and its labels (-100 = no loss, as in Hugging Face), plus whether the prompt was cut.</summary>
public sealed record SftSequence(int[] InputIds, int[] Labels, bool Truncated)
{
    public const int IgnoreIndex = -100;
    public int AnswerTokens => Labels.Count(l => l != IgnoreIndex);
}

/// <summary>Counts reported after encoding a data set: nothing is dropped silently.</summary>
public sealed record SftEncodingReport(int Examples, int Truncated, int SkippedAnswerTooLong, long AnswerTokens, long Tokens)
{
    public override string ToString() =>
        $"{Examples} examples, {Tokens} tokens ({AnswerTokens} answer tokens with loss); prompts truncated: {Truncated}; " +
        $"skipped because the answer alone exceeds max length: {SkippedAnswerTooLong}";
}

/// <summary>
/// Renders <see cref="SftExample"/>s with the tokenizer's chat template and builds (input ids, labels):
/// <list type="bullet">
/// <item>prompt = template(system?, user) with the generation prompt (e.g. ChatML's "&lt;|im_start|&gt;assistant\n");
/// answer = what the template appends for the assistant turn, up to and including its first stop token
/// (&lt;|im_end|&gt;), so the model learns to end its answer; if the template emits no stop token, EOS is appended;</item>
/// <item>labels are -100 on prompt tokens, the token ids on answer tokens (loss only on the answer + end token);</item>
/// <item>truncation when prompt + answer exceed the max length: the answer is never cut; the prompt loses tokens from its
/// <b>middle</b>, keeping its head (system message, task instruction, start of the record) and its tail (end of the record
/// and the assistant header the answer must follow). Examples whose answer alone does not fit are skipped and counted.</item>
/// </list>
/// </summary>
public sealed class SftEncoder(ITextTokenizer tokenizer, int maxLength)
{
    public ITextTokenizer Tokenizer { get; } = tokenizer;
    public int MaxLength { get; } = maxLength > 1 ? maxLength : throw new ArgumentException($"max length must be > 1 (got {maxLength})");

    /// <summary>Encodes one example; null when its answer alone is longer than <see cref="MaxLength"/> − 1.</summary>
    public SftSequence? Encode(SftExample example)
    {
        var (prompt, answer) = Render(example);
        if (answer.Count >= MaxLength) return null;
        var truncated = prompt.Count + answer.Count > MaxLength;
        if (truncated) prompt = CutMiddle(prompt, MaxLength - answer.Count);
        var ids = prompt.Concat(answer).ToArray();
        var labels = Enumerable.Repeat(SftSequence.IgnoreIndex, prompt.Count).Concat(answer).ToArray();
        return new SftSequence(ids, labels, truncated);
    }

    /// <summary>Encodes a data set and reports how many prompts were truncated and how many examples were skipped.</summary>
    public (List<SftSequence> Sequences, SftEncodingReport Report) EncodeAll(IEnumerable<SftExample> examples)
    {
        var sequences = new List<SftSequence>();
        var skipped = 0;
        foreach (var example in examples)
        {
            var s = Encode(example);
            if (s is null) skipped++;
            else sequences.Add(s);
        }
        var report = new SftEncodingReport(sequences.Count, sequences.Count(s => s.Truncated), skipped,
            sequences.Sum(s => (long)s.AnswerTokens), sequences.Sum(s => (long)s.InputIds.Length));
        return (sequences, report);
    }

    /// <summary>Prompt token ids (with generation prompt) and answer token ids (ending with a stop token).</summary>
    public (IReadOnlyList<int> Prompt, IReadOnlyList<int> Answer) Render(SftExample example)
    {
        var messages = new List<ChatMessage>();
        if (example.System is not null) messages.Add(new ChatMessage("system", example.System));
        messages.Add(new ChatMessage("user", example.Prompt));
        var promptText = Tokenizer.ApplyChatTemplate(messages, addGenerationPrompt: true);
        var fullText = Tokenizer.ApplyChatTemplate([.. messages, new ChatMessage("assistant", example.Answer)], addGenerationPrompt: false);
        var answerText = fullText.StartsWith(promptText, StringComparison.Ordinal) ? fullText[promptText.Length..] : example.Answer;

        var answer = Tokenizer.Encode(answerText).ToList();
        var stop = answer.FindIndex(id => Tokenizer.StopIds.Contains(id) || id == Tokenizer.EosId);
        if (stop >= 0) answer.RemoveRange(stop + 1, answer.Count - stop - 1);
        else answer.Add(Tokenizer.EosId);
        return (Tokenizer.Encode(promptText), answer);
    }

    static IReadOnlyList<int> CutMiddle(IReadOnlyList<int> prompt, int budget)
    {
        var tail = budget / 2;
        var head = budget - tail;
        return prompt.Take(head).Concat(prompt.Skip(prompt.Count - tail)).ToList();
    }
}
