using System.CommandLine;
using IcdResearch.Serving;

namespace IcdResearch.Cli.Commands;

/// <summary>`icd serve`: the project's models behind an OpenAI-compatible API on 127.0.0.1 (<see cref="OpenAiServer"/>).</summary>
public sealed class ServeCommand : ICliCommand
{
    public Command Build()
    {
        var models = new Option<string?>("--models") { Description = "A System A models folder (system-a.json): every role (primary, rejudge, other_direct, other_ner, ner, backbone) is served under its role name." };
        var model = new Option<string[]>("--model") { Description = "Serve a model folder (or fine-tuning / PEFT adapter folder) as name=folder; repeatable.", AllowMultipleArgumentsPerToken = false };
        var urls = new Option<string?>("--urls") { Description = "Kestrel URLs to listen on (default http://127.0.0.1:PORT)." };
        var port = new Option<int>("--port") { Description = "Port on 127.0.0.1 (0 = a free port, printed at start).", DefaultValueFactory = _ => 8000 };
        var dtype = CommonOptions.Dtype();
        var device = CommonOptions.Device();
        var maxBatch = new Option<int>("--max-batch") { Description = "Most sequences decoded together when concurrent greedy requests are batched.", DefaultValueFactory = _ => 16 };
        var command = new Command("serve",
            "Serve the project's models over a subset of the OpenAI API.\n" +
            "/v1/models, /v1/chat/completions, /v1/completions, /v1/embeddings with logprobs, n, seed, temperature, top_p, " +
            "max_tokens, stop and vLLM's guided_choice/guided_grammar; concurrent requests are batched. Stop with Ctrl+C.\n" +
            "Example: icd serve --models models/default")
            { models, model, urls, port, maxBatch, dtype, device };
        command.SetAction(async (parse, cancel) =>
        {
            var catalog = new ModelCatalog(Modeling.ModelLoadSettings.Parse(parse.GetValue(dtype)!, parse.GetValue(device)!));
            if (parse.GetValue(models) is { } dir) catalog.AddSystemA(dir);
            foreach (var pair in parse.GetValue(model) ?? []) catalog.AddPair(pair);
            if (catalog.Models.Count == 0) throw new ArgumentException("nothing to serve: give --models DIR and/or --model name=folder");
            using var scheduler = new BatchScheduler(parse.GetValue(maxBatch));
            var output = parse.InvocationConfiguration.Output;
            await new OpenAiServer(catalog, scheduler).RunAsync(parse.GetValue(urls) ?? $"http://127.0.0.1:{parse.GetValue(port)}", bound =>
            {
                foreach (var url in bound) output.WriteLine($"listening on {url}/v1 (models: {string.Join(", ", catalog.Models.Select(m => m.Name))})");
                output.Flush();
            }, cancel);
            return 0;
        });
        return command;
    }
}
