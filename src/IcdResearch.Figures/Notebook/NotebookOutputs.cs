using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace IcdResearch.Figures.Notebook;

/// <summary>
/// Reading and tidying the outputs of an executed .ipynb (nbformat 4): errors per cell, charts, tables, and a
/// machine-independent view of the outputs to tell whether a committed notebook still matches its results.
/// </summary>
public static partial class NotebookOutputs
{
    public static IEnumerable<(int Cell, JsonObject Output)> All(JsonObject notebook) =>
        notebook["cells"]!.AsArray().Select((cell, i) => (cell, i))
            .SelectMany(c => (c.cell!["outputs"] as JsonArray ?? []).OfType<JsonObject>().Select(o => (c.i, o)));

    public static IReadOnlyList<NotebookCellError> Errors(JsonObject notebook) =>
        All(notebook).Where(o => (string?)o.Output["output_type"] == "error")
            .Select(o => new NotebookCellError(o.Cell, (string?)o.Output["ename"] ?? "Error", (string?)o.Output["evalue"] ?? ""))
            .ToList();

    public static bool IsChart(JsonObject output) =>
        Data(output, "image/png") is not null || (Data(output, "text/html") is { } html && html.Contains("Plotly.newPlot", StringComparison.Ordinal));

    public static bool IsTable(JsonObject output) => Data(output, "text/html") is { } html && html.StartsWith("<table", StringComparison.Ordinal);

    /// <summary>
    /// Removes what only reports the kernel's own progress (package installation, extension loading: they hold
    /// machine paths) and dotnet-repl's execution times, so a committed notebook carries only what its cells show.
    /// </summary>
    public static JsonObject Clean(JsonObject notebook)
    {
        foreach (var cell in notebook["cells"]!.AsArray().OfType<JsonObject>())
        {
            if (cell["metadata"] is JsonObject metadata)
                foreach (var key in metadata.Select(p => p.Key).Where(k => k.StartsWith("dotnet_repl_", StringComparison.Ordinal)).ToList())
                    metadata.Remove(key);
            if (cell["outputs"] is not JsonArray outputs) continue;
            foreach (var o in outputs.OfType<JsonObject>().Where(IsKernelProgress).ToList()) outputs.Remove(o);
        }
        return notebook;
    }

    static bool IsKernelProgress(JsonObject output) =>
        (Data(output, "text/html") is { } html && (html.Contains("<strong>Installing Packages</strong>") || html.Contains("<strong>Installed Packages</strong>")))
        || (Data(output, "text/plain") is { } text && text.StartsWith("Loading extensions from ", StringComparison.Ordinal));

    /// <summary>
    /// Per cell, the outputs as comparable text: charts by their fingerprint line (the PNG bytes depend on the
    /// renderer), tables with their generated ids removed (the table's and, on a DataFrame of more than 25 rows, its
    /// pager's `page_N`), everything else as shown; kernel progress left out.
    /// </summary>
    public static IReadOnlyList<string> Comparable(JsonObject notebook) =>
        notebook["cells"]!.AsArray().Select(cell => string.Join("\n", (cell!["outputs"] as JsonArray ?? []).OfType<JsonObject>()
            .Where(o => !IsKernelProgress(o)).Select(Describe))).ToList();

    static string Describe(JsonObject output) => (string?)output["output_type"] switch
    {
        "stream" => $"{output["name"]}: {Text(output["text"])}",
        "error" => $"error: {output["ename"]}: {output["evalue"]}",
        _ when Data(output, "image/png") is not null => $"image: {Data(output, "text/plain")}",
        _ => string.Join("\n", (output["data"] as JsonObject ?? []).OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => $"{p.Key}: {GeneratedId().Replace(Text(p.Value), "$1_")}")),
    };

    static string? Data(JsonObject output, string mime) => output["data"] is JsonObject data && data[mime] is { } v ? Text(v) : null;

    static string Text(JsonNode? node) => node switch
    {
        JsonArray lines => string.Concat(lines.Select(l => (string?)l)),
        null => "",
        _ => (string?)node ?? "",
    };

    [GeneratedRegex(@"\b(table|page)_\d+")]
    private static partial Regex GeneratedId();
}
