using IcdResearch.Data;
using IcdResearch.Modeling;
using IcdResearch.Text;

namespace IcdResearch.Inference;

/// <summary>
/// A model folder loaded and checked as a whole — weights against config.json (<see cref="CausalLM.FromPretrained"/>:
/// names, shapes, finite values), and the tokenizer against the model — so a broken folder fails on load, naming the
/// folder and what does not fit, instead of producing degraded answers later (e.g. a tokenizer from another model
/// turning every input into &lt;unk&gt;).
/// </summary>
public static class ModelFolder
{
    /// <summary>The model of <paramref name="directory"/> with the tokenizer of <paramref name="tokenizerDirectory"/> (default: the same folder), checked together.</summary>
    public static (CausalLM Model, ITextTokenizer Tokenizer) Load(string directory, string? tokenizerDirectory = null, ModelLoadSettings? settings = null)
    {
        settings ??= ModelLoadSettings.Default;
        var model = CausalLM.FromPretrained(directory, settings.Dtype, settings.TorchDevice(), settings.Nf4Projections);
        model.FusedDecoding = settings.FusedDecoding;
        try
        {
            var tokenizer = TokenizerLoader.FromDirectory(tokenizerDirectory ?? directory);
            Check(model.Config, tokenizer, directory);
            return (model, tokenizer);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>The model inside a fine-tuning folder: best/ (best dev epoch), else final/, else the folder itself; null when none holds a model.</summary>
    public static string? Find(string directory)
        => new[] { Path.Combine(directory, "best"), Path.Combine(directory, "final"), directory }.FirstOrDefault(Holds);

    /// <summary>Whether a folder holds a model (config.json) or a PEFT adapter (adapter_config.json).</summary>
    public static bool Holds(string directory)
        => File.Exists(Path.Combine(directory, "config.json")) || File.Exists(Path.Combine(directory, "adapter_config.json"));

    /// <summary>
    /// Throws a <see cref="DataFormatException"/> naming <paramref name="source"/> when the tokenizer does not belong to
    /// the model: more tokens than embedding rows (ids past the table), far fewer (more unused rows than the usual
    /// padding to a multiple of 64, or 2% — another model's vocabulary), or special ids (end of sequence, padding,
    /// stop tokens) outside the vocabulary.
    /// </summary>
    public static void Check(ModelConfig config, ITextTokenizer tokenizer, string source)
    {
        var problems = new List<string>();
        int rows = config.VocabSize, tokens = tokenizer.VocabSize;
        if (tokens > rows)
            problems.Add($"the tokenizer has {tokens:N0} tokens but the model only {rows:N0} embedding rows (vocab_size): ids from {rows:N0} on would index past the table");
        else if (rows - tokens >= Math.Max(64, rows / 50))
            problems.Add($"the tokenizer has {tokens:N0} tokens but the model {rows:N0} embedding rows (vocab_size): {rows - tokens:N0} rows no token reaches — the tokenizer belongs to another model");
        foreach (var (name, id) in new[] { ("end-of-sequence", tokenizer.EosId), ("padding", tokenizer.PadId) }.Concat(tokenizer.StopIds.Select(s => ("stop", s))))
            if (id < 0 || id >= Math.Min(tokens, rows)) problems.Add($"the {name} token id {id} is outside the vocabulary [0, {Math.Min(tokens, rows)})");
        if (tokenizer.StopIds.Count == 0) problems.Add("the tokenizer defines no stop token, so generation could never end");
        if (problems.Count > 0)
            throw new DataFormatException(source, $"tokenizer and model do not fit together: {string.Join("; ", problems)}");
    }
}
