using System.Globalization;
using Plotly.NET;

namespace IcdResearch.Figures;

/// <summary>Charts of one record's way through System A (notebook 00-walkthrough): token probabilities and votes.</summary>
public static class WalkthroughCharts
{
    /// <summary>
    /// Probability of each generated token under that step's softmax (Lv et al. Eq. 2) as bars, and their mean — the
    /// answer's confidence (Lv et al. Eq. 3) — as a dashed line; <paramref name="threshold"/> is where routing starts.
    /// </summary>
    public static GenericChart TokenProbabilities(IReadOnlyList<string> tokens, IReadOnlyList<double> probabilities, double threshold, string answer)
    {
        if (tokens.Count != probabilities.Count) throw new ArgumentException($"{tokens.Count} token labels for {probabilities.Count} probabilities.");
        var labels = tokens.Select((t, i) => $"{i + 1}: {t}").ToArray();
        var mean = probabilities.Count == 0 ? 0 : probabilities.Average();
        var bars = Plot.Trace("bar", new Dictionary<string, object?>
        {
            ["name"] = "p(token) — Eq. 2",
            ["x"] = labels,
            ["y"] = probabilities.ToArray(),
            ["text"] = probabilities.Select(p => p.ToString("0.000", CultureInfo.InvariantCulture)).ToArray(),
            ["textposition"] = "outside",
            ["marker"] = new Dictionary<string, object?> { ["color"] = FigureStyle.Palette[0] },
        });
        var line = Plot.Trace("scatter", new Dictionary<string, object?>
        {
            ["name"] = string.Create(CultureInfo.InvariantCulture, $"confidence = mean = {mean:0.0000} — Eq. 3"),
            ["mode"] = "lines",
            ["x"] = labels,
            ["y"] = labels.Select(_ => mean).ToArray(),
            ["line"] = new Dictionary<string, object?> { ["color"] = FigureStyle.Palette[1], ["dash"] = "dash", ["width"] = 3 },
        });
        var layout = FigureStyle.Layout(Plot.Title($"Token probabilities of the generated name “{answer}”",
            string.Create(CultureInfo.InvariantCulture, $"routed to re-judging only if the confidence is below {threshold} (and retrieval disagrees)")),
            "generated token", "probability", [0, 1.1]);
        return Plot.Chart([bars, line], layout);
    }

    /// <summary>Votes per code over the pooled samples; codes with more than <paramref name="threshold"/> votes are kept (Lv et al. §3.2).</summary>
    public static GenericChart Votes(IReadOnlyDictionary<string, int> votes, int threshold, int samples, Func<string, string> nameOf)
    {
        var ordered = votes.OrderByDescending(v => v.Value).ThenBy(v => v.Key, StringComparer.Ordinal).ToList();
        var labels = ordered.Select(v => v.Key).ToArray();
        var bars = Plot.Trace("bar", new Dictionary<string, object?>
        {
            ["name"] = "votes",
            ["x"] = labels,
            ["y"] = ordered.Select(v => v.Value).ToArray(),
            ["text"] = ordered.Select(v => v.Value > threshold ? "kept" : "").ToArray(),
            ["textposition"] = "outside",
            ["hovertext"] = ordered.Select(v => nameOf(v.Key)).ToArray(),
            ["marker"] = new Dictionary<string, object?> { ["color"] = ordered.Select(v => v.Value > threshold ? FigureStyle.Palette[2] : FigureStyle.PaperGrey).ToArray() },
        });
        var line = Plot.Trace("scatter", new Dictionary<string, object?>
        {
            ["name"] = $"keep above {threshold} of {samples}",
            ["mode"] = "lines",
            ["x"] = labels,
            ["y"] = labels.Select(_ => threshold + 0.5).ToArray(),
            ["line"] = new Dictionary<string, object?> { ["color"] = FigureStyle.Palette[3], ["dash"] = "dash", ["width"] = 3 },
        });
        var layout = FigureStyle.Layout(Plot.Title("Other diagnoses: votes of the pooled samples", $"{samples} samples (direct model + NER-enhanced model)"),
            "code", "samples proposing the code", [0, samples + 1]);
        return Plot.Chart([bars, line], layout);
    }
}
