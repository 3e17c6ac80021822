using System.CommandLine;
using System.Globalization;
using System.Text;
using IcdResearch.Modeling;
using static TorchSharp.torch;

namespace IcdResearch.Cli.Commands;

/// <summary>`icd logits`: next-token logits of an HF model folder for given token ids, for parity checks against a reference.</summary>
public sealed class LogitsCommand : ICliCommand
{
    public Command Build()
    {
        var model = new Option<string>("--model") { Description = "HF model folder (config.json + model.safetensors or a sharded index); qwen2, qwen3 or llama.", Required = true };
        var ids = new Option<string>("--ids") { Description = "Comma-separated input token ids, e.g. 3,1,4,1,5 (one sequence, no padding).", Required = true };
        var command = new Command("logits",
            "Print a model's next-token logits for a sequence of token ids as JSON.\n" +
            "One array of vocab_size fp32 logits per input position (computed in fp32; BF16/F16 checkpoints are widened on " +
            "load); numbers use round-trip formatting.\n" +
            "Example: icd logits --model models/default/backbone --ids 1,2,3") { model, ids };
        command.SetAction(parse =>
        {
            var lm = CausalLM.FromPretrained(parse.GetValue(model)!);
            var tokens = ParseIds(parse.GetValue(ids)!, lm.Config.VocabSize);
            using var _ = no_grad();
            using var input = tensor(tokens, [1, tokens.Length]);
            using var logits = lm.Forward(input);
            var values = logits.contiguous().data<float>().ToArray();
            var vocab = lm.Config.VocabSize;
            var stdout = new StringBuilder(tokens.Length * vocab * 12);
            stdout.Append('[');
            for (var t = 0; t < tokens.Length; t++)
            {
                if (t > 0) stdout.Append(',');
                stdout.Append('[');
                for (var v = 0; v < vocab; v++)
                {
                    var x = values[t * vocab + v];
                    if (!float.IsFinite(x)) throw new InvalidOperationException($"logit at position {t}, token {v} is {x}");
                    if (v > 0) stdout.Append(',');
                    stdout.Append(x.ToString("R", CultureInfo.InvariantCulture));
                }
                stdout.Append(']');
            }
            stdout.Append(']');
            Console.Out.WriteLine(stdout.ToString());
            return 0;
        });
        return command;
    }

    static long[] ParseIds(string text, int vocabSize)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0) throw new ArgumentException("--ids: no token ids given");
        return parts.Select(p => long.TryParse(p, NumberStyles.Integer, CultureInfo.InvariantCulture, out var id) && id >= 0 && id < vocabSize
            ? id
            : throw new ArgumentException($"--ids: '{p}' is not a token id in [0, {vocabSize})")).ToArray();
    }
}
