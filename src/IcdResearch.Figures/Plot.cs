using DynamicObj;
using Plotly.NET;

namespace IcdResearch.Figures;

/// <summary>
/// Thin bridge from plotly.js JSON attributes to Plotly.NET charts: traces and layouts are built with the attribute
/// names of the plotly.js reference (error_y, textposition, …) so a figure reads like its JSON.
/// Nested dictionaries (also inside arrays, e.g. layout shapes and annotations) become nested objects.
/// </summary>
public static class Plot
{
    public static GenericChart Chart(IEnumerable<Trace> traces, IDictionary<string, object?> layout)
    {
        var chart = GenericChart.ofTraceObjects(true, traces);
        return Plotly.NET.Chart.withLayout(Fill(new Layout(), layout)).Invoke(chart);
    }

    public static Trace Trace(string type, IDictionary<string, object?> attributes) => Fill(new Trace2D(type), attributes);

    /// <summary>Text for a chart title with a smaller second line (plotly's &lt;sup&gt; idiom).</summary>
    public static string Title(string title, string? subtitle = null) =>
        string.IsNullOrWhiteSpace(subtitle) ? title : $"{title}<br><sup>{subtitle}</sup>";

    static T Fill<T>(T target, IDictionary<string, object?> attributes) where T : DynamicObj.DynamicObj
    {
        foreach (var (key, value) in attributes)
            if (value is not null) target.SetProperty(key, Convert(value));
        return target;
    }

    static object Convert(object value) => value switch
    {
        IDictionary<string, object?> nested => Fill(new DynamicObj.DynamicObj(), nested),
        object[] items when items.Any(i => i is IDictionary<string, object?>) => items.Select(i => i is null ? null : Convert(i)).ToArray(), // shapes, annotations
        _ => value,
    };
}
