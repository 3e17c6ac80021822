using System.ClientModel;
using System.ClientModel.Primitives;
using System.Text.Json;
using OpenAI;
using OpenAI.Chat;
using OpenAI.Embeddings;

namespace IcdResearch.Inference.OpenAi;

/// <summary>
/// An OpenAI-compatible server (vLLM, SGLang, llama.cpp's server, `icd serve`) reached through the official OpenAI .NET
/// client. Requests go through the client's protocol methods (its endpoint handling, retries and timeouts) with the
/// body written here, because the typed options cannot carry <c>n</c> or vLLM's <c>guided_choice</c>/<c>guided_grammar</c>
/// and the typed result keeps one choice only.
/// </summary>
public sealed class OpenAiEndpoint
{
    readonly Uri _endpoint;
    readonly ApiKeyCredential _key;
    readonly OpenAIClientOptions _options;
    readonly Dictionary<string, ChatClient> _chat = [];
    readonly Dictionary<string, EmbeddingClient> _embedding = [];

    /// <param name="endpoint">Base URL including /v1, e.g. http://127.0.0.1:8000/v1.</param>
    /// <param name="apiKey">Sent as the bearer token (local servers ignore it).</param>
    /// <param name="timeout">Per-request network timeout (default 30 minutes: CPU servers are slow on long prompts).</param>
    public OpenAiEndpoint(Uri endpoint, string? apiKey = null, TimeSpan? timeout = null)
    {
        _endpoint = endpoint;
        _key = new ApiKeyCredential(string.IsNullOrEmpty(apiKey) ? "none" : apiKey);
        _options = new OpenAIClientOptions { Endpoint = endpoint, NetworkTimeout = timeout ?? TimeSpan.FromMinutes(30) };
    }

    public Uri Endpoint => _endpoint;

    public async Task<ChatCompletionResponse> ChatAsync(ChatCompletionRequest request, CancellationToken cancel = default)
    {
        ChatClient client;
        lock (_chat) if (!_chat.TryGetValue(request.Model, out client!)) _chat[request.Model] = client = new ChatClient(request.Model, _key, _options);
        var body = BinaryContent.Create(BinaryData.FromObjectAsJson(request, OpenAiJson.Options));
        var result = await client.CompleteChatAsync(body, new RequestOptions { CancellationToken = cancel });
        return Parse<ChatCompletionResponse>(result.GetRawResponse(), "chat/completions");
    }

    public async Task<EmbeddingResponse> EmbedAsync(EmbeddingRequest request, CancellationToken cancel = default)
    {
        EmbeddingClient client;
        lock (_embedding) if (!_embedding.TryGetValue(request.Model, out client!)) _embedding[request.Model] = client = new EmbeddingClient(request.Model, _key, _options);
        var body = BinaryContent.Create(BinaryData.FromObjectAsJson(request, OpenAiJson.Options));
        var result = await client.GenerateEmbeddingsAsync(body, new RequestOptions { CancellationToken = cancel });
        return Parse<EmbeddingResponse>(result.GetRawResponse(), "embeddings");
    }

    T Parse<T>(PipelineResponse response, string path)
        => JsonSerializer.Deserialize<T>(response.Content.ToString(), OpenAiJson.Options)
           ?? throw new InvalidDataException($"{_endpoint}{path}: empty response");
}
