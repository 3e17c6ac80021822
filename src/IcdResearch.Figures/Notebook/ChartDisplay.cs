using System.Security.Cryptography;
using System.Text;
using Microsoft.DotNet.Interactive.Formatting;
using Plotly.NET;

namespace IcdResearch.Figures.Notebook;

/// <summary>
/// How a chart shows in a notebook: `image/png` (rendered by headless Chromium, the same path as `icd figures`) plus
/// `text/plain` naming the chart and a fingerprint of its data (<see cref="Fingerprint"/>), so a saved notebook shows
/// it on GitHub and in VS Code without running, and a test can tell whether a committed figure still matches the
/// results it was drawn from. Without Chromium the chart is interactive HTML instead (plotly.js from its CDN).
/// </summary>
public static class ChartDisplay
{
    internal static void Register()
    {
        if (FigureExport.FindChromium() is not null)
        {
            Formatter.Register<GenericChart>((chart, context) => { context.Writer.Write(Convert.ToBase64String(Png(chart))); return true; }, "image/png");
            Formatter.Register<GenericChart>((chart, context) => { context.Writer.Write(Describe(chart)); return true; }, "text/plain");
            Formatter.SetPreferredMimeTypesFor(typeof(GenericChart), "image/png", "text/plain");
        }
        else
        {
            Formatter.Register<GenericChart>((chart, context) => { context.Writer.Write(FigureExport.ToNotebookHtml(chart)); return true; }, "text/html");
            Formatter.SetPreferredMimeTypesFor(typeof(GenericChart), "text/html");
        }
    }

    /// <summary>The chart as PNG at its layout size (headless Chromium).</summary>
    public static byte[] Png(GenericChart chart)
    {
        var dir = Directory.CreateTempSubdirectory("icd-chart-");
        try
        {
            var html = Path.Combine(dir.FullName, "chart.html");
            FigureExport.SaveHtml(chart, html);
            var (width, height) = FigureWriter.Size(chart);
            var png = Path.Combine(dir.FullName, "chart.png");
            if (!FigureExport.TryRenderPng(html, png, width, height, out var message)) throw new InvalidOperationException(message);
            return File.ReadAllBytes(png);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    /// <summary>"chart: TITLE [fingerprint]" — the text shown next to the picture.</summary>
    public static string Describe(GenericChart chart) => $"chart: {Title(chart)} [{Fingerprint(chart)}]";

    /// <summary>First 16 hex digits of the SHA-256 of the chart's plotly.js figure JSON (data and layout): equal
    /// fingerprints mean the same figure, whatever machine rendered the PNG.</summary>
    public static string Fingerprint(GenericChart chart) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(GenericChart.toFigureJson(chart))))[..16];

    static string Title(GenericChart chart) =>
        System.Text.Json.Nodes.JsonNode.Parse(GenericChart.toFigureJson(chart))?["layout"]?["title"]?["text"]?.GetValue<string>() ?? "untitled";
}
