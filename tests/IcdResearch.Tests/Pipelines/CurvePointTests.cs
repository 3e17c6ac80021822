using System.Text.Json;
using IcdResearch.Modeling;
using IcdResearch.Pipelines;

namespace IcdResearch.Tests;

/// <summary>Where a reproduce run sits on the scale and data curves: its parameter count and what summary.json records.</summary>
public class CurvePointTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void CountsTheParametersOfTheSavedBackboneOnceEach(bool tied)
    {
        var root = Directory.CreateTempSubdirectory("icd-curve-point-").FullName;
        try
        {
            Assert.Null(CurvePoint.Parameters(Path.Combine(root, "backbone")));      // not trained yet
            long expected;
            using (var model = new CausalLM(ModelConfig.Tiny("qwen2", tieWordEmbeddings: tied), seed: 1))
            {
                expected = model.parameters().Sum(p => p.numel());
                model.SavePretrained(Path.Combine(root, "backbone"));
            }
            Assert.Equal(expected, CurvePoint.Parameters(Path.Combine(root, "backbone")));
            var point = CurvePoint.Of(ExperimentProfile.Default.SystemA, root);
            Assert.Equal(new CurvePoint("small", expected, 300), point);
            using var json = JsonDocument.Parse(new System.Text.Json.Nodes.JsonObject { [CurvePoint.SummaryKey] = point.ToJson() }.ToJsonString());
            Assert.Equal(point, CurvePoint.FromSummary(json.RootElement));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void ASummaryWithoutCurvePointFallsBackToItsProfile()
    {
        using var old = JsonDocument.Parse("""{"profile": "quick", "data": {"n_train": 160}}""");
        Assert.Equal(new CurvePoint("tiny", null, 0), CurvePoint.FromSummary(old.RootElement));   // the quick profile: tiny backbone, no entity records
        using var none = JsonDocument.Parse("""{"data": {}}""");
        Assert.Null(CurvePoint.FromSummary(none.RootElement));
    }
}
