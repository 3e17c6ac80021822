namespace IcdResearch.Figures.Notebook;

/// <summary>A catalog figure for a notebook cell: the chart, or a sentence saying which results it is waiting for.</summary>
public static class NotebookFigure
{
    public static object Show(ResultsFolder results, string name)
    {
        var spec = FigureCatalog.Get(name);
        return (object?)spec.Build(results) ?? $"{name}: {spec.Waiting(results)}";
    }
}
