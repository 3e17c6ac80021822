using System.Text.Json;

namespace IcdResearch.Tests.Notebooks;

/// <summary>One cell of a .ipynb: its index in the file, type (code/markdown/raw), Polyglot kernel name and source.</summary>
public sealed record NotebookCell(int Index, string CellType, string? Kernel, string Source);

/// <summary>
/// A Polyglot (.NET Interactive) notebook in nbformat 4: cells with `source` as a string or list of lines, the kernel
/// in cell metadata `polyglot_notebook.kernelName` (or the older `dotnet_interactive.language`), the default kernel in
/// notebook metadata `polyglot_notebook.kernelInfo.defaultKernelName`.
/// </summary>
public sealed class NotebookDocument
{
    public required string Path { get; init; }
    public required string? DefaultKernel { get; init; }
    public required string? KernelSpec { get; init; }
    public required IReadOnlyList<NotebookCell> Cells { get; init; }

    public static NotebookDocument Load(string path)
    {
        using var json = JsonDocument.Parse(File.ReadAllText(path));
        var root = json.RootElement;
        var metadata = root.TryGetProperty("metadata", out var m) ? m : default;
        var cells = root.GetProperty("cells").EnumerateArray().Select((cell, i) => new NotebookCell(
            i,
            cell.GetProperty("cell_type").GetString() ?? "code",
            Kernel(cell),
            cell.GetProperty("source") switch
            {
                { ValueKind: JsonValueKind.Array } lines => string.Concat(lines.EnumerateArray().Select(l => l.GetString())),
                var text => text.GetString() ?? "",
            })).ToList();
        return new NotebookDocument
        {
            Path = path,
            DefaultKernel = Lookup(metadata, "polyglot_notebook", "kernelInfo", "defaultKernelName"),
            KernelSpec = Lookup(metadata, "kernelspec", "name"),
            Cells = cells,
        };
    }

    static string? Kernel(JsonElement cell) =>
        cell.TryGetProperty("metadata", out var m) ? Lookup(m, "polyglot_notebook", "kernelName") ?? Lookup(m, "dotnet_interactive", "language") : null;

    static string? Lookup(JsonElement element, params string[] path)
    {
        foreach (var key in path)
        {
            if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(key, out element)) return null;
        }
        return element.ValueKind == JsonValueKind.String ? element.GetString() : null;
    }
}
