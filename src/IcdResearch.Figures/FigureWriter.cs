using IcdResearch.Data;
using Plotly.NET;

namespace IcdResearch.Figures;

/// <summary>What happened to one figure: written (HTML, maybe PNG) or skipped, and why.</summary>
public sealed record FigureOutcome(string Name, string? HtmlPath, string? PngPath, string Message);

/// <summary>Builds every figure of the catalog from a results folder and writes figures/NAME.html (+ NAME.png).</summary>
public static class FigureWriter
{
    public static IReadOnlyList<FigureOutcome> WriteAll(ResultsFolder results, string outDirectory, bool png = true, IEnumerable<FigureSpec>? figures = null)
    {
        var outcomes = new List<FigureOutcome>();
        foreach (var spec in figures ?? FigureCatalog.All)
        {
            var chart = spec.Build(results);
            if (chart is null)
            {
                outcomes.Add(new(spec.Name, null, null, $"skipped: {spec.Waiting(results)}"));
                continue;
            }
            outcomes.Add(Write(chart, spec.Name, outDirectory, png));
        }
        return outcomes;
    }

    /// <summary>The dataset overview charts of notebook 01 (data-*.html/png).</summary>
    public static IReadOnlyList<FigureOutcome> WriteData(Ccl25Dataset data, string outDirectory, bool png = true) =>
    [
        Write(DataFigures.CodeFrequency(data, primary: true), "data-primary-codes", outDirectory, png),
        Write(DataFigures.CodeFrequency(data, primary: false), "data-other-codes", outDirectory, png),
        Write(DataFigures.FieldLengths(data), "data-field-lengths", outDirectory, png),
        Write(DataFigures.CoOccurrence(data), "data-cooccurrence", outDirectory, png),
    ];

    public static FigureOutcome Write(GenericChart chart, string name, string outDirectory, bool png = true)
    {
        var html = Path.Combine(outDirectory, name + ".html");
        FigureExport.SaveHtml(chart, html);
        if (!png) return new(name, html, null, "HTML only (--no-png)");
        var (width, height) = Size(chart);
        var pngPath = Path.Combine(outDirectory, name + ".png");
        return FigureExport.TryRenderPng(html, pngPath, width, height, out var message)
            ? new(name, html, pngPath, "ok")
            : new(name, html, null, message);
    }

    /// <summary>The pixel size set in the chart's layout (FigureStyle defaults otherwise).</summary>
    public static (int Width, int Height) Size(GenericChart chart)
    {
        var layout = GenericChart.getLayout(chart);
        int Get(string key, int fallback) => layout.TryGetPropertyValue(key) is { } v && v.Value is int i ? i : fallback;
        return (Get("width", FigureStyle.Width), Get("height", FigureStyle.Height));
    }
}
