namespace IcdResearch.Text;

/// <summary>Opens the tokenizer of a model folder: the default backbone's <see cref="CharTokenizer"/> or HF byte-level BPE.</summary>
public static class TokenizerLoader
{
    /// <summary>The folder's tokenizer; every error names the folder (or the file) it comes from.</summary>
    public static ITextTokenizer FromDirectory(string directory)
    {
        if (!Directory.Exists(directory)) throw new DirectoryNotFoundException($"Tokenizer folder not found: {directory}");
        try
        {
            var config = TokenizerConfig.Load(directory);
            if (config.TokenizerClass == CharTokenizer.ClassName || File.Exists(Path.Combine(directory, CharTokenizer.VocabFileName)))
                return CharTokenizer.Load(directory);
            if (File.Exists(Path.Combine(directory, HfTokenizerJson.FileName)) || File.Exists(Path.Combine(directory, "vocab.json")))
                return Qwen2Tokenizer.FromDirectory(directory);
        }
        catch (Exception e) when (e is InvalidDataException or ArgumentException && !e.Message.Contains(directory, StringComparison.Ordinal))
        {
            throw new Data.DataFormatException(directory, $"tokenizer: {e.Message}", inner: e);
        }
        throw new FileNotFoundException(
            $"{directory} holds no tokenizer: expected {CharTokenizer.VocabFileName}, {HfTokenizerJson.FileName}, or vocab.json + merges.txt.");
    }
}
