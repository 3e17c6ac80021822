using IcdResearch.Inference.Constraints;

namespace IcdResearch.Inference.OpenAi;

/// <summary>
/// <see cref="IAnswerGenerator"/> over an OpenAI-compatible chat endpoint: each prompt is one user turn (the server
/// applies the model's chat template, as fine-tuning did); the answer grammar goes as vLLM's <c>guided_choice</c>
/// (one name) or <c>guided_grammar</c> (<see cref="AnswerGrammarUnits"/>); the per-token probabilities of Lv et al.
/// Lv et al. Eq. 2 are exp(<c>logprobs</c>) of the generated tokens (a trailing end-of-turn token, which some servers report,
/// is dropped, as it is in process); greedy = temperature 0; the k sampled answers are one request with
/// <c>n</c> = k and <c>seed</c>. A forced answer prefix is a final assistant message that the server continues (vLLM's
/// <c>continue_final_message</c>); the answer is the continuation alone, as in process. Greedy prompts are sent
/// concurrently so the server can batch them.
/// </summary>
public sealed class OpenAiAnswerGenerator(OpenAiEndpoint endpoint, string model, OpenAiGenerationSettings? settings = null) : IAnswerGenerator
{
    readonly OpenAiGenerationSettings _settings = settings ?? new();

    public string Model => model;

    public IReadOnlyList<GeneratedAnswer> Greedy(IReadOnlyList<string> prompts, IReadOnlyList<AnswerGrammar> grammars,
        IReadOnlyList<string?>? answerPrefixes = null, int? maxNewTokens = null)
    {
        var requests = prompts.Select((p, i) => Request(p, grammars[i], n: 1, seed: null, temperature: 0, topP: 1, maxNewTokens, answerPrefixes?[i])).ToList();
        var responses = Task.WhenAll(requests.Select(r => endpoint.ChatAsync(r))).GetAwaiter().GetResult();
        return responses.Select(r => Answer(r.Choices.Single())).ToList();
    }

    public IReadOnlyList<GeneratedAnswer> Sample(string prompt, AnswerGrammar grammar, int count, int seed)
    {
        var response = endpoint.ChatAsync(Request(prompt, grammar, count, seed, _settings.Temperature, _settings.TopP)).GetAwaiter().GetResult();
        if (response.Choices.Count != count) throw new InvalidDataException($"{endpoint.Endpoint} returned {response.Choices.Count} choices for n = {count}");
        return response.Choices.OrderBy(c => c.Index).Select(Answer).ToList();
    }

    ChatCompletionRequest Request(string prompt, AnswerGrammar grammar, int n, int? seed, double temperature, double topP, int? maxNewTokens = null, string? answerPrefix = null)
    {
        var prefixed = !string.IsNullOrEmpty(answerPrefix);
        var choices = grammar is AnswerGrammar.Free ? null : grammar.Choices();
        var gbnf = grammar is AnswerGrammar.Free || choices is not null ? null : grammar.ToUnitGrammar().ToGbnf();
        var structured = _settings.StructuredOutputs && (choices is not null || gbnf is not null);
        return new ChatCompletionRequest
        {
            Model = model,
            Messages = prefixed ? [new ChatMessageDto("user", prompt), new ChatMessageDto("assistant", answerPrefix!)] : [new ChatMessageDto("user", prompt)],
            AddGenerationPrompt = prefixed ? false : null,
            ContinueFinalMessage = prefixed ? true : null,
            N = n,
            Seed = seed,
            Temperature = temperature,
            TopP = topP,
            MaxTokens = maxNewTokens ?? (grammar is AnswerGrammar.Free ? _settings.FreeMaxTokens : null),
            Logprobs = true,
            GuidedChoice = structured ? null : choices,
            GuidedGrammar = structured ? null : gbnf,
            StructuredOutputs = structured ? new StructuredOutputs { Choice = choices, Grammar = gbnf } : null,
        };
    }

    GeneratedAnswer Answer(ChatChoice choice)
    {
        var tokens = choice.Logprobs?.Content ?? throw new InvalidDataException($"{endpoint.Endpoint}: no logprobs in the response (the server must support logprobs)");
        var kept = tokens.Count > 0 && _settings.EndOfTurnTokens.Contains(tokens[^1].Token) ? tokens.Take(tokens.Count - 1) : tokens;
        return new GeneratedAnswer(choice.Message.Content, kept.Select(t => Math.Exp(t.Logprob)).ToList());
    }
}

/// <summary>Sampling settings of <see cref="OpenAiAnswerGenerator"/> (the in-process defaults of <see cref="LanguageModel"/>).</summary>
public sealed record OpenAiGenerationSettings
{
    public double Temperature { get; init; } = 0.8;
    public double TopP { get; init; } = 0.95;
    /// <summary>Send the constraint as <c>structured_outputs</c> {choice, grammar} (vLLM ≥ 0.10) instead of guided_choice/guided_grammar.</summary>
    public bool StructuredOutputs { get; init; }
    /// <summary>Token limit of unconstrained answers.</summary>
    public int FreeMaxTokens { get; init; } = 128;
    /// <summary>Token strings that end a turn; a final one in the logprobs is not part of the answer (Qwen/ChatML, Llama 3).</summary>
    public IReadOnlySet<string> EndOfTurnTokens { get; init; } = new HashSet<string> { "<|im_end|>", "<|endoftext|>", "<|eot_id|>", "<|end_of_text|>", "</s>" };
}
