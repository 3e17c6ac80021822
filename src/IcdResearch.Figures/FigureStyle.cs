namespace IcdResearch.Figures;

/// <summary>House style of every figure: size, fonts and margins that stay legible when rendered to PNG.</summary>
public static class FigureStyle
{
    public const int Width = 960;
    public const int Height = 560;

    /// <summary>Plotly's default qualitative palette, so arms keep their colour across figures.</summary>
    public static readonly string[] Palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];

    public const string PaperGrey = "#9e9e9e";

    public static Dictionary<string, object?> Layout(string title, string xTitle, string yTitle, double[]? yRange = null, int width = Width, int height = Height) => new()
    {
        ["title"] = new Dictionary<string, object?> { ["text"] = title, ["x"] = 0.02, ["font"] = new Dictionary<string, object?> { ["size"] = 20 } },
        ["width"] = width,
        ["height"] = height,
        ["font"] = new Dictionary<string, object?> { ["size"] = 14, ["family"] = "Arial, 'Noto Sans CJK SC', sans-serif" },
        ["margin"] = new Dictionary<string, object?> { ["l"] = 80, ["r"] = 30, ["t"] = 90, ["b"] = 90 },
        ["plot_bgcolor"] = "#ffffff",
        ["paper_bgcolor"] = "#ffffff",
        ["xaxis"] = Axis(xTitle),
        ["yaxis"] = Axis(yTitle, yRange),
        ["legend"] = new Dictionary<string, object?> { ["orientation"] = "h", ["y"] = -0.18, ["x"] = 0 },
        ["barmode"] = "group",
    };

    public static Dictionary<string, object?> Axis(string title, double[]? range = null) => new()
    {
        ["title"] = new Dictionary<string, object?> { ["text"] = title },
        ["showline"] = true,
        ["linecolor"] = "#444444",
        ["gridcolor"] = "#e5e5e5",
        ["zeroline"] = false,
        ["ticks"] = "outside",
        ["automargin"] = true,
        ["range"] = range,
    };
}
