using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Encodings.Web;
using IcdResearch.Data;

namespace IcdResearch.Tuning;

/// <summary>
/// SFT data in LLaMA-Factory's alpaca format (data/README.md of LLaMA-Factory): a JSON array of
/// <c>{"instruction", "input", "output", "system"?}</c> plus a <c>dataset_info.json</c> entry naming the file and columns,
/// so an experiment built here can be rerun at 7B on GPUs (<c>llamafactory-cli train … --dataset NAME</c>) and the
/// resulting PEFT adapter evaluated here (<see cref="PeftAdapter"/>). LLaMA-Factory builds the user turn as
/// instruction + "\n" + input; <see cref="Read"/> does the same, and <see cref="Write"/> puts the whole prompt in
/// instruction with an empty input, so a round trip preserves the prompt exactly.
/// </summary>
public static class LlamaFactoryExport
{
    public const string DatasetInfoFile = "dataset_info.json";

    static readonly JsonSerializerOptions Json = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>
    /// Writes <c>dir/name.json</c> and adds/replaces the <paramref name="name"/> entry of <c>dir/dataset_info.json</c>.
    /// Returns the data file path. An existing dataset_info.json is read (and must be valid) before anything is written.
    /// </summary>
    public static string Write(IEnumerable<SftExample> examples, string directory, string name)
    {
        if (string.IsNullOrWhiteSpace(name) || name.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0)
            throw new ArgumentException($"invalid dataset name '{name}'");
        var infoPath = Path.Combine(directory, DatasetInfoFile);
        var info = ReadDatasetInfo(directory);
        Directory.CreateDirectory(directory);
        var rows = examples.Select(e =>
        {
            var row = new JsonObject { ["instruction"] = e.Prompt, ["input"] = "", ["output"] = e.Answer };
            if (e.System is not null) row["system"] = e.System;
            return row;
        });
        var fileName = name + ".json";
        var dataPath = Path.Combine(directory, fileName);
        IO.AtomicFile.WriteAllText(dataPath, new JsonArray(rows.ToArray<JsonNode?>()).ToJsonString(Json));
        info[name] = new JsonObject
        {
            ["file_name"] = fileName,
            ["formatting"] = "alpaca",
            ["columns"] = new JsonObject { ["prompt"] = "instruction", ["query"] = "input", ["response"] = "output", ["system"] = "system" },
        };
        IO.AtomicFile.WriteAllText(infoPath, info.ToJsonString(Json));
        return dataPath;
    }

    /// <summary>The dataset_info.json of <paramref name="directory"/> (an empty object when absent); malformed → a located error.</summary>
    public static JsonObject ReadDatasetInfo(string directory)
    {
        var infoPath = Path.Combine(directory, DatasetInfoFile);
        if (!File.Exists(infoPath)) return new JsonObject();
        try
        {
            return JsonNode.Parse(IO.InputText.ReadAllText(infoPath)) as JsonObject
                   ?? throw new DataFormatException(infoPath, "must be a JSON object of dataset entries");
        }
        catch (JsonException e) { throw new DataFormatException(infoPath, $"malformed or truncated JSON: {e.Message}", inner: e); }
    }

    /// <summary>
    /// Reads an alpaca-format file: prompt = instruction, + "\n" + input when input is non-empty; answer = output.
    /// Records without instruction/output, or with a multi-turn "history" (not supported here), are reported with
    /// their index rather than skipped.
    /// </summary>
    public static List<SftExample> Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"SFT data file not found: {path}", path);
        JsonNode? root;
        try { root = JsonNode.Parse(IO.InputText.ReadAllText(path)); }
        catch (JsonException e) { throw new DataFormatException(path, $"not valid JSON: {e.Message}", inner: e); }
        if (root is not JsonArray array) throw new DataFormatException(path, "expected a JSON array of {instruction, input, output} objects");
        var examples = new List<SftExample>(array.Count);
        for (var i = 0; i < array.Count; i++)
        {
            if (array[i] is not JsonObject row) throw new DataFormatException(path, "record is not a JSON object", i);
            string? Field(string key) => row[key] is JsonValue v && v.TryGetValue<string>(out var s) ? s
                : row[key] is null ? null : throw new DataFormatException(path, "must be a string", i, field: key);
            var instruction = Field("instruction");
            var output = Field("output");
            if (string.IsNullOrEmpty(instruction)) throw new DataFormatException(path, "missing or empty", i, field: "instruction");
            if (output is null) throw new DataFormatException(path, "missing", i, field: "output");
            if (row["history"] is JsonArray { Count: > 0 }) throw new DataFormatException(path, "multi-turn history is not supported", i, field: "history");
            var input = Field("input");
            var prompt = string.IsNullOrEmpty(input) ? instruction : instruction + "\n" + input;
            examples.Add(new SftExample(prompt, output, Field("system")));
        }
        return examples;
    }
}
