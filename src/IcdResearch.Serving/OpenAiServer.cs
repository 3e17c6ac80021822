using System.Text;
using IcdResearch.Inference;
using IcdResearch.Inference.Constraints;
using IcdResearch.Inference.OpenAi;
using IcdResearch.Retrieval;
using IcdResearch.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace IcdResearch.Serving;

/// <summary>
/// `icd serve`: an ASP.NET Core minimal API on Kestrel answering the OpenAI API subset of Inference/OpenAi/OpenAiProtocol.cs
/// for the models of a <see cref="ModelCatalog"/>: /v1/models, /v1/chat/completions (the model's chat template,
/// <c>logprobs</c>/<c>top_logprobs</c>, vLLM's <c>continue_final_message</c> for a forced answer prefix), /v1/completions (raw prompts, one or many, <c>logprobs</c> = top count),
/// /v1/embeddings (mean-pooled last hidden states, <see cref="HiddenStateEmbedder"/>), /health. Both completion
/// endpoints take <c>n</c>, <c>seed</c>, <c>temperature</c> (0 = greedy), <c>top_p</c>, <c>max_tokens</c>, <c>stop</c>
/// and vLLM's <c>guided_choice</c> / <c>guided_grammar</c>. Reported log-probabilities are the model's own (softmax of
/// the raw logits, before temperature, top-p and the constraint: Lv et al. Eq. 2), as vLLM reports by default; for a
/// constrained request the text is the grammar's units as written. Concurrent requests are batched
/// (<see cref="BatchScheduler"/>).
/// </summary>
public sealed class OpenAiServer(ModelCatalog catalog, BatchScheduler scheduler)
{
    /// <summary>Builds the web application bound to <paramref name="urls"/> (e.g. http://127.0.0.1:8000).</summary>
    public WebApplication Build(string urls, bool quiet = true)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(urls);
        if (quiet) builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.DefaultIgnoreCondition = OpenAiJson.Options.DefaultIgnoreCondition;
            o.SerializerOptions.Encoder = OpenAiJson.Options.Encoder;
        });
        var app = builder.Build();
        app.MapGet("/health", () => Results.Ok(new { status = "ok", batches = scheduler.Batches, jobs = scheduler.Jobs }));
        app.MapGet("/v1/models", () => new ModelList("list", catalog.Models.Select(m => new ModelCard(m.Name, "model", 0, "icd")).ToList()));
        app.MapPost("/v1/chat/completions", (ChatCompletionRequest r) => Handle(() => Chat(r)));
        app.MapPost("/v1/completions", (CompletionRequest r) => Handle(() => Complete(r)));
        app.MapPost("/v1/embeddings", (EmbeddingRequest r) => Handle(() => Embed(r)));
        return app;
    }

    /// <summary>Serves until <paramref name="cancel"/> (Ctrl+C / SIGTERM also stop it); <paramref name="started"/> gets the bound URLs.</summary>
    public async Task RunAsync(string urls, Action<IReadOnlyCollection<string>> started, CancellationToken cancel)
    {
        var app = Build(urls);
        await app.StartAsync(cancel);
        started(app.Urls.ToList());
        try { await app.WaitForShutdownAsync(cancel); }
        finally { await app.DisposeAsync(); }
    }

    static async Task<IResult> Handle<T>(Func<Task<T>> handler)
    {
        try { return Results.Json(await handler(), OpenAiJson.Options); }
        catch (KeyNotFoundException e) { return Error(e.Message, "not_found_error", StatusCodes.Status404NotFound); }
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidOperationException)
        { return Error(e.Message, "invalid_request_error", StatusCodes.Status400BadRequest); }
    }

    static IResult Error(string message, string type, int status) => Results.Json(new ErrorBody(new ErrorDetail(message, type)), OpenAiJson.Options, statusCode: status);

    async Task<ChatCompletionResponse> Chat(ChatCompletionRequest r)
    {
        var model = catalog[r.Model];
        if (r.Messages.Count == 0) throw new ArgumentException("messages must not be empty");
        var tok = model.Tokenizer;
        var prompt = ChatPrompt(tok, r);
        var top = r.Logprobs == true ? r.TopLogprobs ?? 0 : 0;
        if (top is < 0 or > 20) throw new ArgumentException("top_logprobs must be between 0 and 20");
        var (choices, usage) = await Run(model, [prompt], r, r.MaxCompletionTokens ?? r.MaxTokens, top);
        return new ChatCompletionResponse(Id("chatcmpl"), "chat.completion", Now(), r.Model, choices.Select((c, i) => new ChatChoice(i,
            new ChatMessageDto("assistant", c.Text),
            r.Logprobs == true ? new ChatLogprobs(c.Tokens.Select((t, k) => new ContentLogprob(Piece(tok, t), Log(c.Probabilities[k]), Bytes(Piece(tok, t)),
                c.Top is null ? [] : c.Top[k].Select(a => new TopLogprob(Piece(tok, a.Token), Log(a.Probability), Bytes(Piece(tok, a.Token)))).ToList())).ToList()) : null,
            c.FinishReason)).ToList(), usage);
    }

    /// <summary>
    /// The prompt tokens of a chat: the model's chat template with the generation prompt (unless add_generation_prompt is
    /// false); with continue_final_message (vLLM), the template up to the final assistant message's text, then that text
    /// tokenized on its own, as <see cref="LanguageModel.Render"/> appends a forced answer prefix in process.
    /// </summary>
    static IReadOnlyList<int> ChatPrompt(ITextTokenizer tok, ChatCompletionRequest r)
    {
        var messages = r.Messages.Select(m => new ChatMessage(m.Role, m.Content)).ToList();
        if (r.ContinueFinalMessage != true) return tok.Encode(tok.ApplyChatTemplate(messages, r.AddGenerationPrompt ?? true));
        if (r.AddGenerationPrompt != false) throw new ArgumentException("continue_final_message needs add_generation_prompt false");
        if (messages[^1] is not { Role: "assistant", Content.Length: > 0 } final) throw new ArgumentException("continue_final_message needs a final assistant message with text");
        var rendered = tok.ApplyChatTemplate(messages, addGenerationPrompt: false);
        var at = rendered.LastIndexOf(final.Content, StringComparison.Ordinal);
        if (at < 0) throw new ArgumentException("the chat template does not reproduce the final message's text");
        return [.. tok.Encode(rendered[..at]), .. tok.Encode(final.Content)];
    }

    async Task<CompletionResponse> Complete(CompletionRequest r)
    {
        var model = catalog[r.Model];
        var tok = model.Tokenizer;
        var prompts = r.Prompts().Select(p => tok.Encode(p)).ToList();
        if (r.Logprobs is < 0 or > 20) throw new ArgumentException("logprobs must be between 0 and 20");
        var (choices, usage) = await Run(model, prompts, r, r.MaxTokens ?? 16, r.Logprobs ?? 0);
        return new CompletionResponse(Id("cmpl"), "text_completion", Now(), r.Model, choices.Select((c, i) =>
        {
            CompletionLogprobs? logprobs = null;
            if (r.Logprobs is not null)
            {
                var pieces = c.Tokens.Select(t => Piece(tok, t)).ToList();
                var offsets = pieces.Select((_, k) => pieces.Take(k).Sum(p => p.Length)).ToList();
                logprobs = new CompletionLogprobs(pieces, c.Probabilities.Select(Log).ToList(),
                    c.Top?.Select(step => step.GroupBy(a => Piece(tok, a.Token)).ToDictionary(g => g.Key, g => Log(g.First().Probability))).ToList(), offsets);
            }
            return new CompletionChoice(i, c.Text, logprobs, c.FinishReason);
        }).ToList(), usage);
    }

    async Task<EmbeddingResponse> Embed(EmbeddingRequest r)
    {
        var model = catalog[r.Model];
        var inputs = r.Inputs();
        var vectors = await scheduler.Run(() => new HiddenStateEmbedder(model.Model, model.Tokenizer).Embed(inputs));
        var tokens = inputs.Sum(i => model.Tokenizer.Encode(i).Count);
        return new EmbeddingResponse("list", vectors.Select((v, i) => new EmbeddingData("embedding", i, v)).ToList(), r.Model, new Usage(tokens, 0, tokens));
    }

    /// <summary>One generated choice: text (spelled by the grammar, cut at a stop string), tokens and their probabilities.</summary>
    sealed record Choice(string Text, IReadOnlyList<int> Tokens, IReadOnlyList<double> Probabilities, IReadOnlyList<IReadOnlyList<TokenProbability>>? Top, string FinishReason);

    /// <summary>Generates n choices for every prompt (choice index = prompt index · n + sample) through the scheduler.</summary>
    async Task<(List<Choice>, Usage)> Run(ServedModel model, IReadOnlyList<IReadOnlyList<int>> prompts, CompletionParameters r, int? maxTokens, int topLogprobs)
    {
        var n = r.N ?? 1;
        if (n is < 1 or > 64) throw new ArgumentException("n must be between 1 and 64");
        if (prompts.Count == 0 || prompts.Any(p => p.Count == 0)) throw new ArgumentException("every prompt needs at least one token");
        var temperature = r.Temperature ?? 1.0;
        if (temperature < 0) throw new ArgumentException("temperature must be ≥ 0");
        var grammar = r.Grammar();
        var context = model.Model.Config.MaxPositionEmbeddings - prompts.Max(p => p.Count);
        var limit = maxTokens ?? Math.Min(1024, context);
        if (limit < 1) throw new ArgumentException("max_tokens must be ≥ 1 (and the prompt shorter than the model's context)");
        var options = new GenerationOptions
        {
            MaxNewTokens = limit,
            DoSample = temperature > 0,
            Temperature = temperature,
            TopP = r.TopP ?? 1.0,
            Seed = (int)(r.Seed ?? Random.Shared.Next()),
            TopLogprobs = topLogprobs,
        };
        var job = new GenerationJob(model, prompts.SelectMany(p => Enumerable.Repeat(p, n)).ToList(), options, grammar);
        var result = await scheduler.Generate(job);
        var stops = r.StopStrings();
        var choices = result.Sequences.Select(s => ToChoice(model.Tokenizer, s, result.Constraint, stops)).ToList();
        var promptTokens = prompts.Sum(p => p.Count);
        var completionTokens = choices.Sum(c => c.Tokens.Count);
        return (choices, new Usage(promptTokens, completionTokens, promptTokens + completionTokens));
    }

    /// <summary>Text of a sequence (the grammar's spelling when constrained), cut before the first stop string with its tokens.</summary>
    static Choice ToChoice(ITextTokenizer tok, GeneratedSequence s, UnitGrammarConstraint? constraint, IReadOnlyList<string> stops)
    {
        var text = constraint?.Spell(s.Tokens) ?? s.Text;
        var finish = s.FinishReason == FinishReason.Length ? "length" : "stop";
        var keep = s.Tokens.Count;
        var cut = stops.Where(x => x.Length > 0).Select(x => text.IndexOf(x, StringComparison.Ordinal)).Where(i => i >= 0).DefaultIfEmpty(-1).Min();
        if (cut >= 0)
        {
            text = text[..cut];
            finish = "stop";
            // Keep the tokens whose decoded text lies before the stop string.
            keep = 0;
            while (keep < s.Tokens.Count && tok.Decode(s.Tokens.Take(keep + 1)).Length <= cut) keep++;
        }
        return new Choice(text, s.Tokens.Take(keep).ToList(), s.TokenProbabilities.Take(keep).ToList(), s.TopAlternatives?.Take(keep).ToList(), finish);
    }

    static string Piece(ITextTokenizer tok, int id) => tok.Decode([id], skipSpecialTokens: false);
    static int[] Bytes(string piece) => Encoding.UTF8.GetBytes(piece).Select(b => (int)b).ToArray();
    /// <summary>ln p; an impossible token gets −9999 (as vLLM reports −∞), since JSON has no infinity.</summary>
    static double Log(double p) => p > 0 ? Math.Log(p) : -9999.0;
    static string Id(string prefix) => $"{prefix}-{Guid.NewGuid():N}";
    static long Now() => DateTimeOffset.UtcNow.ToUnixTimeSeconds();
}
