namespace IcdResearch.Figures.Notebook;

/// <summary>A catalog figure for a notebook cell: the chart, or a sentence saying which results it is waiting for.</summary>
public static class NotebookFigure
{
    public static object Show(ResultsFolder results, string name)
    {
        var spec = FigureCatalog.Get(name);
        return (object?)spec.Build(results) ?? $"{name}: waiting for {spec.Reads} in {results} (run `icd reproduce`)";
    }
}
