using IcdResearch.Ner;

namespace IcdResearch.Tests;

public class EntityMetricsTests
{
    [Fact]
    public void ExactSpanMatchMicroAveraged()
    {
        IReadOnlyCollection<EntitySpan>[] gold = [[new(0, 3), new(5, 8)], [new(1, 2)]];
        IReadOnlyCollection<EntitySpan>[] pred = [[new(0, 3), new(5, 7)], [new(1, 2), new(4, 6)]];
        var m = EntityMetrics.Score(gold, pred);
        Assert.Equal((3, 4, 2), (m.Gold, m.Predicted, m.Correct));
        Assert.Equal(0.5, m.Precision, 12);
        Assert.Equal(2.0 / 3, m.Recall, 12);
        Assert.Equal(2 * 0.5 * (2.0 / 3) / (0.5 + 2.0 / 3), m.F1, 12);
    }

    [Fact]
    public void EmptyCasesAreDefined()
    {
        var none = EntityMetrics.Score([[]], [[]]);
        Assert.Equal(0, none.F1);
        Assert.Equal(1, EntityMetrics.DocumentF1([], []));
        Assert.Equal(0, EntityMetrics.DocumentF1([new(0, 1)], []));
        Assert.Throws<ArgumentException>(() => EntityMetrics.Score([[]], []));
    }
}
