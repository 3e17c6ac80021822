using System.Diagnostics;
using Microsoft.FSharp.Core;
using Plotly.NET;

namespace IcdResearch.Figures;

/// <summary>
/// Writes a chart as a self-contained HTML file (plotly.js embedded: works offline) and renders it to PNG with
/// headless Chromium when one is installed (`apt-get install chromium`; `$ICD_CHROMIUM` overrides the binary).
/// </summary>
public static class FigureExport
{
    /// <summary>The chart's standalone HTML page with the full plotly.js source inlined (Plotly.NET PlotlyJSReference.Full).</summary>
    public static string ToStandaloneHtml(GenericChart chart)
    {
        var options = DisplayOptions.init(null, FSharpOption<string>.Some("utf-8"), null, null, null, null, FSharpOption<PlotlyJSReference>.Some(PlotlyJSReference.Full));
        var html = GenericChart.toEmbeddedHTML(Chart.withDisplayOptions(options).Invoke(chart));
        // Browsers only honour a charset declared in the first 1024 bytes; Plotly.NET emits it after the 3.6 MB script.
        return html.Replace("<head>", "<head><meta charset=\"utf-8\">");
    }

    /// <summary>A &lt;div&gt; + script fragment for notebook output (loads plotly.js from its CDN, as Polyglot does).</summary>
    public static string ToNotebookHtml(GenericChart chart) => GenericChart.toChartHTML(chart);

    public static void SaveHtml(GenericChart chart, string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        IO.AtomicFile.WriteAllText(path, ToStandaloneHtml(chart));
    }

    public static string? FindChromium()
    {
        var overridePath = Environment.GetEnvironmentVariable("ICD_CHROMIUM");
        if (!string.IsNullOrWhiteSpace(overridePath)) return File.Exists(overridePath) ? overridePath : null;
        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        return new[] { "chromium", "chromium-browser", "google-chrome", "google-chrome-stable" }
            .SelectMany(name => path.Split(Path.PathSeparator).Select(dir => Path.Combine(dir, name)))
            .FirstOrDefault(File.Exists);
    }

    /// <summary>
    /// A note when fontconfig lists no font covering Chinese (`fc-list :lang=zh`): Chromium then draws the figures'
    /// disease names and field names as empty boxes. Null when a CJK font is installed or fontconfig is absent.
    /// </summary>
    public static string? MissingCjkFontNote()
    {
        try
        {
            var info = new ProcessStartInfo("fc-list") { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var arg in new[] { ":lang=zh", "family" }) info.ArgumentList.Add(arg);
            using var process = Process.Start(info)!;
            var fonts = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            return process.ExitCode == 0 && string.IsNullOrWhiteSpace(fonts)
                ? "no font for Chinese text is installed (fc-list :lang=zh is empty): the PNGs' Chinese labels render as boxes; apt-get install fonts-noto-cjk (or fonts-wqy-zenhei)"
                : null;
        }
        catch (System.ComponentModel.Win32Exception) { return null; }   // no fontconfig: nothing to check
    }

    /// <summary>
    /// Screenshots <paramref name="htmlPath"/> into <paramref name="pngPath"/> at the chart's size (the mode bar is
    /// hidden in the picture). Returns false with the reason when Chromium is missing or fails.
    /// </summary>
    public static bool TryRenderPng(string htmlPath, string pngPath, int width, int height, out string message)
    {
        var chromium = FindChromium();
        if (chromium is null)
        {
            message = "chromium not found (apt-get install chromium, or set ICD_CHROMIUM): PNG skipped";
            return false;
        }
        var profile = Directory.CreateTempSubdirectory("icd-chromium-");
        var page = Path.Combine(profile.FullName, "figure.html");
        try
        {
            var html = IO.InputText.ReadAllText(htmlPath).Replace("<head>", "<head><style>body{margin:0}.modebar{display:none!important}</style>");
            IO.AtomicFile.WriteAllText(page, html);
            var png = Path.GetFullPath(pngPath);
            Directory.CreateDirectory(Path.GetDirectoryName(png)!);
            File.Delete(png);
            var info = new ProcessStartInfo(chromium)
            {
                RedirectStandardError = true,
                RedirectStandardOutput = true,
            };
            foreach (var arg in new[]
            {
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--hide-scrollbars", "--virtual-time-budget=10000",
                $"--user-data-dir={Path.Combine(profile.FullName, "profile")}", $"--screenshot={png}", $"--window-size={width},{height}",
                new Uri(page).AbsoluteUri,
            }) info.ArgumentList.Add(arg);
            using var process = Process.Start(info)!;
            var stderr = process.StandardError.ReadToEndAsync();
            _ = process.StandardOutput.ReadToEndAsync();
            if (!process.WaitForExit(TimeSpan.FromSeconds(90)))
            {
                process.Kill(entireProcessTree: true);
                message = "chromium timed out after 90 s: PNG skipped";
                return false;
            }
            if (!File.Exists(png) || new FileInfo(png).Length == 0)
            {
                message = $"chromium exited with {process.ExitCode} and wrote no PNG: {stderr.Result.Split('\n').LastOrDefault(l => l.Length > 0)}";
                return false;
            }
            message = $"{png} ({new FileInfo(png).Length / 1024} KiB)";
            return true;
        }
        finally
        {
            try { profile.Delete(recursive: true); } catch (IOException) { }
        }
    }
}
