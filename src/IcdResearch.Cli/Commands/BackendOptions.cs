using System.CommandLine;
using IcdResearch.Inference.OpenAi;
using IcdResearch.Pipelines;

namespace IcdResearch.Cli.Commands;

/// <summary>
/// Where the models run, shared by `icd predict`, `icd reproduce` and `icd ccl`: in process (torch, default) or on an
/// OpenAI-compatible server (<c>--backend openai --endpoint URL [--models-map FILE|role=name,…]</c>; the API key, if the
/// server wants one, is read from $OPENAI_API_KEY).
/// </summary>
public sealed class BackendOptions
{
    public Option<string> Backend { get; } = new("--backend")
    {
        Description = "torch: the models under --models run (and are trained) in this process. openai: every model role is a model on an OpenAI-compatible server (vLLM, SGLang, llama.cpp, `icd serve`); nothing is trained.",
        DefaultValueFactory = _ => "torch",
    };
    public Option<string?> Endpoint { get; } = new("--endpoint") { Description = "--backend openai: the server's base URL including /v1, e.g. http://127.0.0.1:8000/v1." };
    public Option<string?> ModelsMap { get; } = new("--models-map")
    {
        Description = "--backend openai: role → served model name, as a JSON file ({\"primary\": \"qwen7b-primary\", …}) or role=name,role=name. " +
                      $"Roles: {string.Join(", ", OpenAiModelBackend.Roles)} (System A's models, then Code-Centric Learning's arms); a role not given is served under its own name.",
    };

    public BackendOptions() => Backend.AcceptOnlyFromAmong("torch", "openai");

    public void AddTo(Command command)
    {
        command.Add(Backend);
        command.Add(Endpoint);
        command.Add(ModelsMap);
    }

    /// <summary>The OpenAI-compatible backend when --backend openai, else null (the caller builds its in-process backend).</summary>
    public OpenAiModelBackend? Remote(ParseResult parse)
    {
        if (parse.GetValue(Backend) != "openai") return null;
        var endpoint = parse.GetValue(Endpoint) ?? throw new ArgumentException("--backend openai needs --endpoint URL (e.g. http://127.0.0.1:8000/v1)");
        if (!Uri.TryCreate(endpoint, UriKind.Absolute, out var uri)) throw new ArgumentException($"--endpoint '{endpoint}' is not an absolute URL");
        return new OpenAiModelBackend(new OpenAiEndpoint(uri, Environment.GetEnvironmentVariable("OPENAI_API_KEY")), OpenAiModelBackend.ParseModelsMap(parse.GetValue(ModelsMap)));
    }
}
