using System.CommandLine;
using System.Text.Json;
using IcdResearch.Inference;
using IcdResearch.Inference.Constraints;

namespace IcdResearch.Cli.Commands;

/// <summary>`icd generate`: batched decoding from a model folder, printing text, tokens and per-token probabilities.</summary>
public sealed class GenerateCommand : ICliCommand
{
    public Command Build()
    {
        var model = new Option<string>("--model") { Description = "Model folder (config.json, model.safetensors, tokenizer files), a fine-tuning folder (its best/ or final/ model) or a PEFT adapter folder.", Required = true };
        var prompts = new Option<string[]>("--prompt") { Description = "Prompt text; repeat the option to decode several prompts as one left-padded batch.", Required = true, AllowMultipleArgumentsPerToken = false };
        var chat = new Option<bool>("--chat") { Description = "Render each prompt as fine-tuning does: a user message in the model's chat template (ChatML) with a generation prompt." };
        var maxNew = new Option<int>("--max-new-tokens") { Description = "Upper bound on generated tokens per prompt.", DefaultValueFactory = _ => 64 }.Range(0);
        var sample = new Option<bool>("--sample") { Description = "Sample (temperature, top-p) instead of greedy argmax decoding." };
        var temperature = new Option<double>("--temperature") { Description = "Softmax temperature for --sample.", DefaultValueFactory = _ => 1.0 }.Range(0.0, 100.0);
        var topP = new Option<double>("--top-p") { Description = "Nucleus sampling mass for --sample, in (0, 1].", DefaultValueFactory = _ => 1.0 }.Range(0.0, 1.0, minExclusive: true);
        var seed = CommonOptions.Seed();
        var allowed = new Option<string?>("--allowed") { Description = "File with one allowed output string per line: decoding is constrained to these strings (prefix trie)." };
        var separator = new Option<string?>("--separator") { Description = "With --allowed: lets the output be a list of allowed strings joined by this separator, e.g. ';'." };
        var noCache = new Option<bool>("--no-cache") { Description = "Recompute the whole prefix every step instead of using the KV cache (for comparison)." };
        var command = new Command("generate",
            "Generate continuations of prompts with a model and print them as JSON.\n" +
            "One object per prompt: text, tokens, token_probabilities (softmax of each step's raw logits, system paper Eq. 2), " +
            "mean_probability (Eq. 3) and finish_reason.\n" +
            "Example: icd generate --model models/default/primary --prompt \"主诉：胸痛2天\" --chat")
            { model, prompts, chat, maxNew, sample, temperature, topP, seed, allowed, separator, noCache };
        command.SetAction(parse =>
        {
            var lm = LanguageModel.Load(parse.GetValue(model)!);
            var tokenizer = lm.Tokenizer;
            var chatPrompts = parse.GetValue(chat);
            var ids = parse.GetValue(prompts)!.Select(t => chatPrompts ? lm.Render(t) : tokenizer.Encode(t)).ToList();
            IDecodingConstraint? constraint = null;
            if (parse.GetValue(allowed) is { } allowedFile)
            {
                if (!File.Exists(allowedFile)) throw new FileNotFoundException($"--allowed file not found: {allowedFile}", allowedFile);
                constraint = PrefixTrieConstraint.FromStrings(tokenizer, IO.InputText.ReadAllLines(allowedFile).Select(l => l.Trim()), parse.GetValue(separator));
            }
            var options = new GenerationOptions
            {
                MaxNewTokens = parse.GetValue(maxNew),
                DoSample = parse.GetValue(sample),
                Temperature = parse.GetValue(temperature),
                TopP = parse.GetValue(topP),
                Seed = parse.GetValue(seed),
                UseCache = !parse.GetValue(noCache),
                Constraint = constraint,
            };
            var results = new Generator(lm.Model, tokenizer).Generate(ids, options);
            var output = parse.InvocationConfiguration.Output;
            foreach (var r in results)
                output.WriteLine(JsonSerializer.Serialize(new
                {
                    text = r.Text,
                    tokens = r.Tokens,
                    token_probabilities = r.TokenProbabilities,
                    mean_probability = GeneratedAnswer.ConfidenceOf(r.TokenProbabilities),
                    finish_reason = r.FinishReason.ToString().ToLowerInvariant(),
                }, new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }));
            return 0;
        });
        return command;
    }
}
