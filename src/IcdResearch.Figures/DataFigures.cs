using IcdResearch.Data;
using Plotly.NET;

namespace IcdResearch.Figures;

/// <summary>Dataset overview charts (notebook 01): code frequencies, text length per field, label co-occurrence.</summary>
public static class DataFigures
{
    /// <summary>How often each code is assigned over the labelled training records, most frequent first.</summary>
    public static GenericChart CodeFrequency(Ccl25Dataset data, bool primary, int top = 30)
    {
        var counts = data.TrainLabels.SelectMany(l => primary ? [l.PrimaryCode] : l.OtherCodes)
            .GroupBy(c => c).Select(g => (Code: g.Key, Count: g.Count())).OrderByDescending(c => c.Count).ThenBy(c => c.Code, StringComparer.Ordinal)
            .Take(top).Reverse().ToList();
        var trace = Plot.Trace("bar", new Dictionary<string, object?>
        {
            ["orientation"] = "h",
            ["y"] = counts.Select(c => Label(data, c.Code)).ToArray(),
            ["x"] = counts.Select(c => c.Count).ToArray(),
            ["text"] = counts.Select(c => c.Count.ToString()).ToArray(),
            ["textposition"] = "outside",
            ["marker"] = new Dictionary<string, object?> { ["color"] = FigureStyle.Palette[primary ? 0 : 2] },
        });
        var kind = primary ? "primary" : "other";
        var layout = FigureStyle.Layout(
            Plot.Title($"{(primary ? "Primary" : "Other")}-diagnosis code frequency{(primary ? "" : $" (top {top})")}", $"{data.TrainLabels.Count} labelled training records · {Describe(data)}"),
            $"records with the {kind} code (count)", "", height: 140 + 24 * counts.Count);
        ((Dictionary<string, object?>)layout["margin"]!)["l"] = 330;
        return Plot.Chart([trace], layout);
    }

    /// <summary>Characters per text field over the raw training records (box plots; empty fields count as 0).</summary>
    public static GenericChart FieldLengths(Ccl25Dataset data)
    {
        var traces = Ccl25Fields.TextFields.Select((field, i) => Plot.Trace("box", new Dictionary<string, object?>
        {
            ["name"] = field,
            ["y"] = data.TrainRaw.Select(r => r.Field(field).Length).ToArray(),
            ["boxpoints"] = "outliers",
            ["marker"] = new Dictionary<string, object?> { ["color"] = FigureStyle.Palette[i % FigureStyle.Palette.Length] },
        })).ToList();
        var layout = FigureStyle.Layout(Plot.Title("Text length per record field", $"{data.TrainRaw.Count} raw training records · {Describe(data)}"),
            "field", "length (characters)");
        layout["showlegend"] = false;
        return Plot.Chart(traces, layout);
    }

    /// <summary>Counts of records where a primary code co-occurs with each of the most frequent other codes.</summary>
    public static GenericChart CoOccurrence(Ccl25Dataset data, int topOther = 20)
    {
        var primaries = data.PrimaryCodes;
        var others = data.TrainLabels.SelectMany(l => l.OtherCodes).GroupBy(c => c).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal)
            .Take(topOther).Select(g => g.Key).ToList();
        var z = primaries.Select(p => others.Select(o => data.TrainLabels.Count(l => l.PrimaryCode == p && l.OtherCodes.Contains(o))).ToArray()).ToArray();
        var trace = Plot.Trace("heatmap", new Dictionary<string, object?>
        {
            ["x"] = others.ToArray(),
            ["y"] = primaries.Select(p => Label(data, p)).ToArray(),
            ["z"] = z,
            ["colorscale"] = "Blues",
            ["reversescale"] = true,
            ["colorbar"] = new Dictionary<string, object?> { ["title"] = new Dictionary<string, object?> { ["text"] = "records" } },
            ["texttemplate"] = "%{z}",
        });
        var layout = FigureStyle.Layout(Plot.Title($"Label co-occurrence: primary code × top {others.Count} other codes", $"{data.TrainLabels.Count} labelled training records · {Describe(data)}"),
            "other-diagnosis code", "", width: 1100, height: 520);
        ((Dictionary<string, object?>)layout["margin"]!)["l"] = 330;
        ((Dictionary<string, object?>)layout["xaxis"]!)["tickangle"] = -45;
        return Plot.Chart([trace], layout);
    }

    static string Describe(Ccl25Dataset data) => data.IsSynthetic ? "SYNTHETIC sample" : "CCL25-Eval Task 8 (released part)";

    static string Label(Ccl25Dataset data, string code) => data.Codes.TryGetName(code, out var name) ? $"{code} {Shorten(name)}" : code;

    static string Shorten(string s) => s.Length <= 16 ? s : s[..15] + "…";
}
