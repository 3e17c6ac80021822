using Microsoft.Data.Analysis;
using Plotly.NET;

namespace IcdResearch.Tests.Notebooks;

/// <summary>What a cell showed: the cell index, the value's type and its rendered text (HTML for charts).</summary>
public sealed record DisplayedValue(int Cell, string Type, string Rendered);

/// <summary>HTML content, as returned by Polyglot's <c>HTML("…")</c>.</summary>
public sealed record HtmlContent(string Html)
{
    public override string ToString() => Html;
}

/// <summary>
/// The globals a Polyglot C# kernel gives every cell that the notebooks use: <c>display(value)</c> and
/// <c>HTML(string)</c>. Displayed values are rendered the way a notebook would (DataFrames as tables, Plotly charts
/// as HTML) so rendering errors surface in the test, and are recorded for assertions.
/// </summary>
public sealed class NotebookGlobals
{
    public List<DisplayedValue> Displayed { get; } = [];
    internal int CurrentCell { get; set; }

    // Lower-case names on purpose: they mirror the Polyglot kernel's API.
#pragma warning disable IDE1006
    public object? display(object? value, params string[] mimeTypes)
    {
        Displayed.Add(new DisplayedValue(CurrentCell, value?.GetType().Name ?? "null", Render(value)));
        return value;
    }

    public HtmlContent HTML(string html) => new(html);
#pragma warning restore IDE1006

    internal static string Render(object? value) => value switch
    {
        null => "<null>",
        GenericChart chart => GenericChart.toChartHTML(chart),
        DataFrame frame => frame.ToString(),
        HtmlContent html => html.Html,
        string text => text,
        System.Collections.IEnumerable items => string.Join(", ", items.Cast<object?>().Take(50).Select(i => i?.ToString())),
        _ => value.ToString() ?? "",
    };
}
