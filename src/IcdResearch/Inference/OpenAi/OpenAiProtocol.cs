using System.Text.Json;
using System.Text.Json.Serialization;
using IcdResearch.Inference.Constraints;

namespace IcdResearch.Inference.OpenAi;

// The OpenAI API subset `icd serve` answers and the OpenAI-compatible backend sends (OpenAI API reference: chat
// completions, completions, models, embeddings), plus vLLM's structured-output extensions guided_choice /
// guided_grammar and their newer spelling structured_outputs {choice, grammar}. One wire format for server and client.

/// <summary>Sampling and constraint fields shared by chat and text completions.</summary>
public abstract record CompletionParameters
{
    [JsonPropertyName("model")] public string Model { get; init; } = "";
    [JsonPropertyName("n")] public int? N { get; init; }
    [JsonPropertyName("seed")] public long? Seed { get; init; }
    [JsonPropertyName("temperature")] public double? Temperature { get; init; }
    [JsonPropertyName("top_p")] public double? TopP { get; init; }
    [JsonPropertyName("max_tokens")] public int? MaxTokens { get; init; }
    /// <summary>A string or an array of strings.</summary>
    [JsonPropertyName("stop")] public JsonElement? Stop { get; init; }
    /// <summary>vLLM: the output is exactly one of these strings.</summary>
    [JsonPropertyName("guided_choice")] public IReadOnlyList<string>? GuidedChoice { get; init; }
    /// <summary>vLLM: the output follows this grammar (GBNF/EBNF; here the right-linear subset of <see cref="UnitGrammar"/>).</summary>
    [JsonPropertyName("guided_grammar")] public string? GuidedGrammar { get; init; }
    /// <summary>vLLM ≥ 0.10 spelling of the same constraints.</summary>
    [JsonPropertyName("structured_outputs")] public StructuredOutputs? StructuredOutputs { get; init; }

    public IReadOnlyList<string> StopStrings() => Stop switch
    {
        { ValueKind: JsonValueKind.String } s => [s.GetString()!],
        { ValueKind: JsonValueKind.Array } a => a.EnumerateArray().Select(e => e.GetString()!).ToList(),
        _ => [],
    };

    /// <summary>The constraint of the request (choice or grammar, either spelling), or null.</summary>
    public UnitGrammar? Grammar()
    {
        var choice = GuidedChoice ?? StructuredOutputs?.Choice;
        var grammar = GuidedGrammar ?? StructuredOutputs?.Grammar;
        if (choice is not null && grammar is not null) throw new ArgumentException("give guided_choice or guided_grammar, not both");
        return choice is not null ? UnitGrammar.Choice(choice) : grammar is not null ? UnitGrammar.ParseGbnf(grammar) : null;
    }
}

public sealed record StructuredOutputs
{
    [JsonPropertyName("choice")] public IReadOnlyList<string>? Choice { get; init; }
    [JsonPropertyName("grammar")] public string? Grammar { get; init; }
}

public sealed record ChatMessageDto([property: JsonPropertyName("role")] string Role, [property: JsonPropertyName("content")] string Content);

public sealed record ChatCompletionRequest : CompletionParameters
{
    [JsonPropertyName("messages")] public IReadOnlyList<ChatMessageDto> Messages { get; init; } = [];
    [JsonPropertyName("logprobs")] public bool? Logprobs { get; init; }
    [JsonPropertyName("top_logprobs")] public int? TopLogprobs { get; init; }
    [JsonPropertyName("max_completion_tokens")] public int? MaxCompletionTokens { get; init; }
    /// <summary>vLLM: end the rendered chat with the assistant turn's header (default true).</summary>
    [JsonPropertyName("add_generation_prompt")] public bool? AddGenerationPrompt { get; init; }
    /// <summary>vLLM: leave the final (assistant) message open and continue it — a forced answer prefix; needs add_generation_prompt false.</summary>
    [JsonPropertyName("continue_final_message")] public bool? ContinueFinalMessage { get; init; }
}

public sealed record CompletionRequest : CompletionParameters
{
    /// <summary>A string or an array of strings.</summary>
    [JsonPropertyName("prompt")] public JsonElement Prompt { get; init; }
    /// <summary>Legacy completions: the number of most likely tokens to return per position (0 = only the chosen token's).</summary>
    [JsonPropertyName("logprobs")] public int? Logprobs { get; init; }

    public IReadOnlyList<string> Prompts() => Prompt switch
    {
        { ValueKind: JsonValueKind.String } s => [s.GetString()!],
        { ValueKind: JsonValueKind.Array } a => a.EnumerateArray().Select(e => e.GetString()!).ToList(),
        _ => throw new ArgumentException("prompt must be a string or an array of strings"),
    };
}

public sealed record TopLogprob(
    [property: JsonPropertyName("token")] string Token,
    [property: JsonPropertyName("logprob")] double Logprob,
    [property: JsonPropertyName("bytes")] int[] Bytes);

public sealed record ContentLogprob(
    [property: JsonPropertyName("token")] string Token,
    [property: JsonPropertyName("logprob")] double Logprob,
    [property: JsonPropertyName("bytes")] int[] Bytes,
    [property: JsonPropertyName("top_logprobs")] IReadOnlyList<TopLogprob> TopLogprobs);

public sealed record ChatLogprobs([property: JsonPropertyName("content")] IReadOnlyList<ContentLogprob> Content);

public sealed record ChatChoice(
    [property: JsonPropertyName("index")] int Index,
    [property: JsonPropertyName("message")] ChatMessageDto Message,
    [property: JsonPropertyName("logprobs")] ChatLogprobs? Logprobs,
    [property: JsonPropertyName("finish_reason")] string FinishReason);

public sealed record Usage(
    [property: JsonPropertyName("prompt_tokens")] int PromptTokens,
    [property: JsonPropertyName("completion_tokens")] int CompletionTokens,
    [property: JsonPropertyName("total_tokens")] int TotalTokens);

public sealed record ChatCompletionResponse(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("object")] string Object,
    [property: JsonPropertyName("created")] long Created,
    [property: JsonPropertyName("model")] string Model,
    [property: JsonPropertyName("choices")] IReadOnlyList<ChatChoice> Choices,
    [property: JsonPropertyName("usage")] Usage? Usage);

public sealed record CompletionLogprobs(
    [property: JsonPropertyName("tokens")] IReadOnlyList<string> Tokens,
    [property: JsonPropertyName("token_logprobs")] IReadOnlyList<double> TokenLogprobs,
    [property: JsonPropertyName("top_logprobs")] IReadOnlyList<Dictionary<string, double>>? TopLogprobs,
    [property: JsonPropertyName("text_offset")] IReadOnlyList<int> TextOffset);

public sealed record CompletionChoice(
    [property: JsonPropertyName("index")] int Index,
    [property: JsonPropertyName("text")] string Text,
    [property: JsonPropertyName("logprobs")] CompletionLogprobs? Logprobs,
    [property: JsonPropertyName("finish_reason")] string FinishReason);

public sealed record CompletionResponse(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("object")] string Object,
    [property: JsonPropertyName("created")] long Created,
    [property: JsonPropertyName("model")] string Model,
    [property: JsonPropertyName("choices")] IReadOnlyList<CompletionChoice> Choices,
    [property: JsonPropertyName("usage")] Usage? Usage);

public sealed record ModelCard(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("object")] string Object,
    [property: JsonPropertyName("created")] long Created,
    [property: JsonPropertyName("owned_by")] string OwnedBy);

public sealed record ModelList([property: JsonPropertyName("object")] string Object, [property: JsonPropertyName("data")] IReadOnlyList<ModelCard> Data);

public sealed record EmbeddingRequest
{
    [JsonPropertyName("model")] public string Model { get; init; } = "";
    /// <summary>A string or an array of strings.</summary>
    [JsonPropertyName("input")] public JsonElement Input { get; init; }

    public IReadOnlyList<string> Inputs() => Input switch
    {
        { ValueKind: JsonValueKind.String } s => [s.GetString()!],
        { ValueKind: JsonValueKind.Array } a => a.EnumerateArray().Select(e => e.GetString()!).ToList(),
        _ => throw new ArgumentException("input must be a string or an array of strings"),
    };
}

public sealed record EmbeddingData(
    [property: JsonPropertyName("object")] string Object,
    [property: JsonPropertyName("index")] int Index,
    [property: JsonPropertyName("embedding")] float[] Embedding);

public sealed record EmbeddingResponse(
    [property: JsonPropertyName("object")] string Object,
    [property: JsonPropertyName("data")] IReadOnlyList<EmbeddingData> Data,
    [property: JsonPropertyName("model")] string Model,
    [property: JsonPropertyName("usage")] Usage? Usage);

/// <summary>An OpenAI-style error body: {"error": {"message", "type"}}.</summary>
public sealed record ErrorBody([property: JsonPropertyName("error")] ErrorDetail Error);

public sealed record ErrorDetail([property: JsonPropertyName("message")] string Message, [property: JsonPropertyName("type")] string Type);

public static class OpenAiJson
{
    /// <summary>Serializer options of the wire format: nulls omitted, non-ASCII written as is.</summary>
    public static JsonSerializerOptions Options { get; } = new()
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };
}
