using System.Text.Json;
using IcdResearch.Evaluation;
using IcdResearch.Pipelines;

namespace IcdResearch.Figures;

/// <summary>
/// One point of the scale or data curve: a results folder (results/ itself, or results/curves/NAME/), where it sits
/// (<see cref="CurvePoint"/>, from its summary.json) and System A's test rows there — as `icd predict` runs it
/// (overall.csv, arm system_a_tuned): primary accuracy, other-diagnosis F1 and Eq. 4 — next to tfidf-lr's.
/// </summary>
public sealed record CurvePointResult(string Folder, string Profile, CurvePoint Point, int RawTrainRecords, int EntityPool,
    ResultRow? PrimaryAccuracy, ResultRow? OtherF1, ResultRow? AccF1, ResultRow? TfidfPrimaryAccuracy, ResultRow? TfidfOtherF1);

/// <summary>
/// The curve points under a results folder: the folder itself (the reported run, a point on both curves) and every
/// results/curves/*/ with a summary.json (`icd reproduce --backbone-size SIZE --out results/curves/backbone-SIZE`,
/// `icd reproduce --entity-records N --out results/curves/entities-N`). Only points of the reported run's profile
/// count, and one point per setting (the reported run first, then folders in name order).
/// </summary>
public static class CurveResults
{
    public const string Folder = "curves";

    /// <summary>System A's arm on the curves: what `icd predict` writes (vote threshold tuned on dev).</summary>
    public const string SystemArm = "system_a_tuned";

    public const string Peer = "tfidf-lr";

    /// <summary>Every point (reported run first); empty when the reported run has no summary.json yet.</summary>
    public static IReadOnlyList<CurvePointResult> Load(ResultsFolder results)
    {
        var main = Read(results, results.ToString());
        if (main is null) return [];
        var points = new List<CurvePointResult> { main };
        var curves = Path.Combine(results.Directory, Folder);
        if (Directory.Exists(curves))
            foreach (var dir in Directory.GetDirectories(curves).Order(StringComparer.Ordinal))
                if (Read(new ResultsFolder(dir), $"{Folder}/{Path.GetFileName(dir)}") is { } p && p.Profile == main.Profile)
                    points.Add(p);
        return points;
    }

    /// <summary>The scale curve: points with the reported run's entity records, one per backbone size, smallest first.</summary>
    public static IReadOnlyList<CurvePointResult> Scale(IReadOnlyList<CurvePointResult> points) => points.Count == 0 ? [] :
        points.Where(p => p.Point.EntityRecords == points[0].Point.EntityRecords && p.PrimaryAccuracy is not null)
            .DistinctBy(p => p.Point.BackboneSize).OrderBy(p => p.Point.SizeRank).ThenBy(p => p.Point.BackboneParameters).ToList();

    /// <summary>The data curve: points with the reported run's backbone size, one per entity-record count, fewest first.</summary>
    public static IReadOnlyList<CurvePointResult> Data(IReadOnlyList<CurvePointResult> points) => points.Count == 0 ? [] :
        points.Where(p => p.Point.BackboneSize == points[0].Point.BackboneSize && p.PrimaryAccuracy is not null)
            .DistinctBy(p => p.Point.EntityRecords).OrderBy(p => p.Point.EntityRecords).ToList();

    static CurvePointResult? Read(ResultsFolder folder, string label)
    {
        using var summary = folder.Summary();
        if (summary is null || CurvePoint.FromSummary(summary.RootElement) is not { } point) return null;
        var root = summary.RootElement;
        var profile = root.TryGetProperty("profile", out var p) ? p.GetString() ?? "" : "";
        int Data(string key) => root.TryGetProperty("data", out var d) && d.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetInt32() : 0;
        var overall = folder.Rows("overall.csv").Where(r => r.Arm == SystemArm && FigureCatalog.IsTest(r.Split)).ToList();
        var peer = folder.Rows("baselines.csv").Where(r => r.Arm == Peer && FigureCatalog.IsTest(r.Split)).ToList();
        return new CurvePointResult(label, profile, point, Data("n_train"), Data("n_train_entities"),
            overall.FirstOrDefault(r => r.Metric == "primary_accuracy"), overall.FirstOrDefault(r => r.Metric == "other_f1"), overall.FirstOrDefault(r => r.Metric == "acc_f1"),
            peer.FirstOrDefault(r => r.Metric == "primary_accuracy"), peer.FirstOrDefault(r => r.Metric == "other_f1"));
    }
}
