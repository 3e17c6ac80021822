using System.Text.Json;
using IcdResearch.Inference;
using IcdResearch.Inference.OpenAi;
using IcdResearch.Retrieval;
using IcdResearch.Pipelines.CodeCentric;
using IcdResearch.Pipelines.SystemA;
using IcdResearch.Tuning;

namespace IcdResearch.Pipelines;

/// <summary>
/// The models of both systems on an OpenAI-compatible server. A model folder's name is its role — System A's primary,
/// rejudge, other_direct, other_ner, ner and backbone (<see cref="SystemAConfig.Roles"/>), Code-Centric Learning's arms
/// (<see cref="CodeCentricArm.ModelNames"/>) — and a role is a model name on the endpoint, a base model or a LoRA
/// adapter as vLLM serves them (<c>--enable-lora --lora-modules primary=…</c>), by the role → name map (default: the
/// role name itself, which is how `icd serve --models DIR` names System A's). A map value <c>name@URL</c> puts that role
/// on another server (the paper's re-judge model has its own base, DeepSeek-R1-Distill-Qwen-7B, so vLLM serves it
/// separately). Generation goes through <see cref="OpenAiAnswerGenerator"/>, the hidden-state retrieval embedding through
/// /v1/embeddings. Training is not the server's job: <see cref="EnsureBackbone"/> and <see cref="FineTune"/> only say
/// where the models come from (`icd export-sft` → LLaMA-Factory, docs/scale-out.md) and measure nothing.
/// </summary>
public sealed class OpenAiModelBackend(OpenAiEndpoint endpoint, IReadOnlyDictionary<string, string> models,
    OpenAiGenerationSettings? settings = null, TextWriter? log = null) : IModelBackend
{
    readonly TextWriter _log = log ?? Console.Error;

    readonly Dictionary<string, OpenAiEndpoint> _endpoints = new(StringComparer.Ordinal);

    public OpenAiEndpoint Endpoint => endpoint;

    /// <summary>The served model name for a model folder (its role is the folder's name, as <see cref="SystemAConfig.Models"/> and <see cref="ModelLayout"/> lay them out).</summary>
    public string ModelName(string modelDirectory) => Resolve(modelDirectory).Model;

    /// <summary>Server and model name of a role: the map's <c>name</c> or <c>name@URL</c>, else the role's own name on the default endpoint.</summary>
    (OpenAiEndpoint Endpoint, string Model) Resolve(string modelDirectory)
    {
        var role = Path.GetFileName(Path.TrimEndingDirectorySeparator(modelDirectory));
        var name = models.TryGetValue(role, out var mapped) ? mapped : role;
        var at = name.LastIndexOf('@');
        if (at < 0 || !Uri.TryCreate(name[(at + 1)..], UriKind.Absolute, out var url)) return (endpoint, name);
        lock (_endpoints)
            if (!_endpoints.TryGetValue(url.ToString(), out var other))
                _endpoints[url.ToString()] = other = new OpenAiEndpoint(url, Environment.GetEnvironmentVariable("OPENAI_API_KEY"));
        return (_endpoints[url.ToString()], name[..at]);
    }

    public void EnsureBackbone(string directory, bool force)
        => _log.WriteLine($"backbone: served by {endpoint.Endpoint} as '{ModelName(directory)}' (not trained here)");

    /// <summary>Trains nothing: the arm or role is served, trained elsewhere; the cost has no tokens or seconds (NaN), so no cost is reported for it.</summary>
    public TrainingCost FineTune(string name, string baseModel, string directory, IReadOnlyList<(string Prompt, string Answer)> train,
        IReadOnlyList<(string Prompt, string Answer)> dev, SftOptions options, bool force)
    {
        _log.WriteLine($"{name}: served by {endpoint.Endpoint} as '{ModelName(directory)}' (trained elsewhere: icd export-sft → llamafactory-cli, docs/scale-out.md)");
        return new TrainingCost(train.Count, 0, double.NaN, options.Epochs, double.NaN);
    }

    public IAnswerGenerator Generator(string modelDirectory)
    {
        var (server, model) = Resolve(modelDirectory);
        return new OpenAiAnswerGenerator(server, model, settings);
    }

    public ITextEmbedder Embedder(string modelDirectory)
    {
        var (server, model) = Resolve(modelDirectory);
        return new EndpointEmbedder(server, model);
    }

    /// <summary>
    /// Reads a role → model-name map: a JSON file (<c>{"primary": "qwen7b-primary", "rejudge": "rejudge@http://gpu2:8001/v1", …}</c>)
    /// or inline <c>role=name,role=name</c>; roles not given keep their own name. A role outside <see cref="Roles"/> is an error.
    /// </summary>
    public static IReadOnlyDictionary<string, string> ParseModelsMap(string? map)
    {
        if (string.IsNullOrWhiteSpace(map)) return new Dictionary<string, string>();
        Dictionary<string, string> result;
        if (File.Exists(map))
            result = JsonSerializer.Deserialize<Dictionary<string, string>>(IO.InputText.ReadAllText(map)) ?? throw new InvalidDataException($"{map}: empty models map");
        else
            result = map.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(pair => pair.Split('=', 2) is [var role, var name]
                    ? (role.Trim(), name.Trim()) : throw new ArgumentException($"--models-map: '{pair}' is not role=name (or give a JSON file)"))
                .ToDictionary(p => p.Item1, p => p.Item2);
        var unknown = result.Keys.Except(Roles).ToList();
        if (unknown.Count > 0) throw new ArgumentException($"--models-map: unknown role(s) {string.Join(", ", unknown)} (roles: {string.Join(", ", Roles)})");
        return result;
    }

    /// <summary>The roles a map may name: System A's (<see cref="SystemAConfig.Roles"/>) and Code-Centric Learning's arms (<see cref="CodeCentricArm.ModelNames"/>).</summary>
    public static IReadOnlyList<string> Roles { get; } = [.. SystemAConfig.Roles.Union(CodeCentricArm.ModelNames)];

    /// <summary>Mean-pooled hidden states from the server's /v1/embeddings (`icd serve` pools exactly as <see cref="Retrieval.HiddenStateEmbedder"/>).</summary>
    sealed class EndpointEmbedder(OpenAiEndpoint endpoint, string model) : ITextEmbedder
    {
        public string Name => "hidden";

        public float[][] Embed(IReadOnlyList<string> texts)
        {
            var result = new List<float[]>(texts.Count);
            foreach (var chunk in texts.Chunk(64))
            {
                var response = endpoint.EmbedAsync(new EmbeddingRequest { Model = model, Input = JsonSerializer.SerializeToElement(chunk) }).GetAwaiter().GetResult();
                result.AddRange(response.Data.OrderBy(d => d.Index).Select(d => d.Embedding));
            }
            return result.ToArray();
        }
    }
}
