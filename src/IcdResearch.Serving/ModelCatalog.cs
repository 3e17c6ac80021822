using IcdResearch.Inference;
using IcdResearch.Modeling;
using IcdResearch.Pipelines.SystemA;
using IcdResearch.Text;

namespace IcdResearch.Serving;

/// <summary>A model the server answers for: its name on the API, its folder, and (once loaded) the model and tokenizer.</summary>
public sealed class ServedModel(string name, string directory, ModelLoadSettings? settings = null)
{
    readonly Lazy<LanguageModel> _loaded = new(() => LanguageModel.Load(directory, settings: settings));

    public string Name { get; } = name;
    public string Directory { get; } = directory;
    public CausalLM Model => _loaded.Value.Model;
    public ITextTokenizer Tokenizer => _loaded.Value.Tokenizer;
}

/// <summary>
/// The models `icd serve` exposes: every role of a System A models folder (system-a.json) under its role name, and
/// explicit name=folder pairs. Models load on first use.
/// </summary>
public sealed class ModelCatalog(ModelLoadSettings? settings = null)
{
    readonly Dictionary<string, ServedModel> _models = new(StringComparer.Ordinal);

    public IReadOnlyCollection<ServedModel> Models => _models.Values;

    public ServedModel this[string name] => _models.TryGetValue(name, out var m) ? m
        : throw new KeyNotFoundException($"model '{name}' is not served here (served: {string.Join(", ", _models.Keys)})");

    public void Add(string name, string directory)
    {
        if (ModelFolder.Find(directory) is null)
            throw new DirectoryNotFoundException($"model '{name}': no model (config.json or adapter_config.json) in {directory}, {directory}/best or {directory}/final");
        if (!_models.TryAdd(name, new ServedModel(name, directory, settings))) throw new ArgumentException($"model name '{name}' given twice");
    }

    /// <summary>Adds every model role of a System A models folder written by `icd reproduce`.</summary>
    public void AddSystemA(string modelsDir)
    {
        var config = SystemAConfig.Load(modelsDir);
        foreach (var (role, folder) in config.Models.OrderBy(m => m.Key, StringComparer.Ordinal))
        {
            var directory = Path.Combine(modelsDir, folder);
            if (ModelFolder.Find(directory) is not null) Add(role, directory);
        }
    }

    /// <summary>Parses "name=folder".</summary>
    public void AddPair(string pair)
    {
        if (pair.Split('=', 2) is not [var name, var directory] || name.Length == 0) throw new ArgumentException($"--model '{pair}': expected name=folder");
        Add(name, directory);
    }
}
