using System.Text.Json;
using System.Text.Json.Nodes;
using IcdResearch.Inference;
using IcdResearch.Modeling;
using IcdResearch.Pipelines.SystemA;
using IcdResearch.Tuning;

namespace IcdResearch.Pipelines;

/// <summary>
/// Where one `icd reproduce` run sits on the scale and data curves (issue 13, item 4): the backbone size and its
/// parameter count, and how many entity-view-only records System A's fine-tuning added to the raw training records.
/// Recorded as "curve_point" in results/summary.json; the curve figures read it. The reported run (results/, the
/// default profile) is a point on both curves; the other points live in results/curves/backbone-SIZE/ and
/// results/curves/entities-N/.
/// </summary>
public sealed record CurvePoint(string BackboneSize, long? BackboneParameters, int EntityRecords)
{
    public const string SummaryKey = "curve_point";

    /// <summary>The point of a run with System A profile <paramref name="profile"/>, its parameters counted in the backbone under <paramref name="modelsDir"/> (null when not trained there).</summary>
    public static CurvePoint Of(SystemAProfile profile, string modelsDir) =>
        new(profile.BackboneSize, Parameters(ModelLayout.Backbone(modelsDir)), profile.EntityOnlyTrainRecords);

    /// <summary>Parameters stored in a model folder's safetensors (headers only, no weights loaded); a tied lm_head copy is not counted twice. Null when the folder holds no model.</summary>
    public static long? Parameters(string modelDirectory)
    {
        if (!Directory.Exists(modelDirectory) || ModelFolder.Find(modelDirectory) is not { } folder) return null;
        var files = Directory.GetFiles(folder, "*.safetensors");
        if (files.Length == 0) return null;
        var tied = ModelConfig.Load(folder).TieWordEmbeddings;
        return files.SelectMany(f => SafeTensors.ReadHeader(f).Entries)
            .Where(e => !(tied && e.Name == "lm_head.weight"))
            .Sum(e => e.Shape.Aggregate(1L, (a, d) => a * d));
    }

    public JsonObject ToJson() => new()
    {
        ["backbone_size"] = BackboneSize, ["backbone_parameters"] = BackboneParameters, ["entity_records"] = EntityRecords,
    };

    /// <summary>
    /// The point recorded in a summary.json; for a summary written before "curve_point" existed, the backbone size and
    /// entity records of its profile (exact: a profile is code) with an unknown parameter count. Null without either.
    /// </summary>
    public static CurvePoint? FromSummary(JsonElement summary)
    {
        if (summary.TryGetProperty(SummaryKey, out var p) && p.ValueKind == JsonValueKind.Object)
            return new(p.GetProperty("backbone_size").GetString()!,
                p.TryGetProperty("backbone_parameters", out var n) && n.ValueKind == JsonValueKind.Number ? n.GetInt64() : null,
                p.GetProperty("entity_records").GetInt32());
        if (summary.TryGetProperty("profile", out var name) && ExperimentProfile.Names.Contains(name.GetString()))
        {
            var profile = ExperimentProfile.Named(name.GetString()!).SystemA;
            return new(profile.BackboneSize, null, profile.EntityOnlyTrainRecords);
        }
        return null;
    }

    /// <summary>Position of the backbone size among the presets (tiny &lt; small &lt; base): the order of the scale axis.</summary>
    public int SizeRank => BackbonePreset.All.ToList().FindIndex(p => p.Name == BackboneSize) is var i and >= 0 ? i : int.MaxValue;
}
