using System.CommandLine;
using System.Text.Json;
using IcdResearch.Text;

namespace IcdResearch.Cli.Commands;

/// <summary>`icd tokenize`: token ids of a text under a model folder's tokenizer, as one compact JSON array.</summary>
public sealed class TokenizeCommand : ICliCommand
{
    public Command Build()
    {
        var tokenizer = new Option<string>("--tokenizer")
        {
            Description = "Folder holding the tokenizer: tokenizer.json, or vocab.json + merges.txt (+ tokenizer_config.json / added_tokens.json), or the default backbone's char_vocab.json.",
            Required = true,
        };
        var text = new Option<string>("--text") { Description = "Text to encode; special tokens such as <|im_start|> map to their ids.", Required = true };
        var command = new Command("tokenize",
            "Print the token ids of a text as a JSON array, e.g. [9707,11,1879,0].\n" +
            "Special tokens such as <|im_start|> map to their ids.\n" +
            "Example: icd tokenize --tokenizer ../shared/data/qwen2-tokenizer --text \"胸痛\"") { tokenizer, text };
        command.SetAction(parse =>
        {
            var tok = TokenizerLoader.FromDirectory(parse.GetValue(tokenizer)!);
            parse.InvocationConfiguration.Output.WriteLine(JsonSerializer.Serialize(tok.Encode(parse.GetValue(text)!)));
            return 0;
        });
        return command;
    }
}
