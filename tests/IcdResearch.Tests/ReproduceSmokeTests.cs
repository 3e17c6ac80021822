using IcdResearch.Cli.Figures;
using System.Text.Json;
using IcdResearch.Cli;
using IcdResearch.Cli.Commands;
using IcdResearch.Data;
using IcdResearch.Evaluation;
using IcdResearch.Pipelines;
using IcdResearch.Pipelines.SystemA;

namespace IcdResearch.Tests;

/// <summary>
/// End to end: `icd reproduce --profile smoke` on the synthetic sample (real TorchSharp models, tiny sizes), then
/// `icd predict` with the trained models on unlabelled, imperfect and broken records. The suite's main time cost (~1–3 min).
/// </summary>
public class ReproduceSmokeTests
{
    [Fact]
    public void SmokeProfileRunsEveryStepAndPredictHandlesImperfectInput()
    {
        var root = Path.Combine(Path.GetTempPath(), $"icd-smoke-{Guid.NewGuid():N}");
        var results = Path.Combine(root, "results");
        var models = Path.Combine(root, "models");
        var data = Ccl25Dataset.Synthetic();
        Reproduction.Run(new ReproduceOptions(data, Splits.For(data), ExperimentProfile.Smoke, results, models, Force: false, Seed: 42, DataDir: null), "all");
        PaperComparison.AddToSummary(results);   // what `icd reproduce` adds after the runs

        foreach (var file in new[] { "primary.csv", "ner.csv", "other.csv", "overall.csv", "baselines.csv" })
            Assert.NotEmpty(ResultsTable.Read(Path.Combine(results, file)));
        var overall = ResultsTable.Read(Path.Combine(results, "overall.csv"));
        Assert.Contains(overall, r => r.Arm == "system_a" && r.Metric == "acc_f1" && r.N > 0 && r.Value is >= 0 and <= 1);
        Assert.Contains(overall, r => r.Arm == "system_a-vs-tfidf-lr" && r.PValue is > 0 and <= 1);
        using (var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(results, "summary.json"))))
        {
            Assert.Equal("smoke", summary.RootElement.GetProperty("profile").GetString());
            Assert.True(summary.RootElement.GetProperty("timings_seconds").GetProperty("system_a").GetDouble() > 0);
            // The paper's printed value sits next to ours on the same rate scale (Table 2 ensemble, test: 37.43 of 50).
            var ensemble = summary.RootElement.GetProperty("paper_side_by_side").EnumerateArray()
                .Single(e => e.GetProperty("arm").GetString() == "ensemble" && e.GetProperty("split").GetString() == "test" && e.GetProperty("metric").GetString() == "other_f1");
            Assert.Equal(37.43, ensemble.GetProperty("paper_printed").GetDouble(), 6);
            Assert.Equal(0.7486, ensemble.GetProperty("paper_rate").GetDouble(), 6);
            Assert.Equal(ResultsTable.Read(Path.Combine(results, "other.csv")).Single(r => r.Experiment == "other" && r.Arm == "ensemble" && r.Split == "test" && r.Metric == "other_f1").Value,
                ensemble.GetProperty("ours").GetDouble(), 9);
        }
        Assert.True(File.Exists(Path.Combine(results, "predictions", "system_a.json")));

        // One System A path: `icd predict` on the scored test records (labels removed) writes exactly the reported
        // predictions, whatever the batch size (sampling seeds come from record ids, not positions).
        var testInput = Path.Combine(results, "predictions", "test-input.json");
        Assert.DoesNotContain("主要诊断编码", File.ReadAllText(testInput));
        foreach (var (batch, vote, reported) in new[] { ("1", "paper", "system_a.json"), ("5", "paper", "system_a.json"), ("5", "tuned", "system_a_tuned.json") })
        {
            var predicted = Path.Combine(root, $"predict-{batch}-{vote}.json");
            Assert.Equal(0, Program.Main(["predict", "--models", models, "--input", testInput, "--out", predicted, "--batch", batch, "--vote", vote]));
            Assert.Equal(File.ReadAllText(Path.Combine(results, "predictions", reported)), File.ReadAllText(predicted));
        }

        // icd predict: labels stripped, a field missing (read as empty, with a warning), one record without any text
        // (the counted fallback: nearest case's primary code, no other codes).
        var input = Path.Combine(root, "input.json");
        var records = data.TrainRaw.Take(3).Select(r => new Dictionary<string, object?>
        {
            ["病案标识"] = r.Id, ["主诉"] = r.ChiefComplaint, ["入院诊断"] = r.AdmissionDiagnosis, ["既往史"] = null,
        }).ToList();
        records.Add(new Dictionary<string, object?> { ["病案标识"] = "NO-TEXT" });
        File.WriteAllText(input, JsonSerializer.Serialize(records));
        var output = Path.Combine(root, "pred.json");
        Assert.Equal(0, Program.Main(["predict", "--models", models, "--input", input, "--out", output]));
        var predictions = SubmissionFormat.Read(output);
        Assert.Equal([.. data.TrainRaw.Take(3).Select(r => r.Id), "NO-TEXT"], predictions.Select(p => p.Id));
        Assert.Empty(predictions[3].OtherCodes);

        // What cannot be predicted (a record without 病案标识, a repeated id) is an error that leaves the old output alone.
        var written = File.ReadAllBytes(output);
        foreach (var broken in new[] { new Dictionary<string, object?> { ["主诉"] = "胸痛2天" }, records[0] })
        {
            File.WriteAllText(input, JsonSerializer.Serialize(records.Append(broken)));
            Assert.Equal(2, Program.Main(["predict", "--models", models, "--input", input, "--out", output]));
            Assert.Equal(written, File.ReadAllBytes(output));
        }
        var primaryCodes = SystemAConfig.Load(models).PrimaryCandidates.Select(c => c.Code).ToHashSet();
        Assert.All(predictions, p => Assert.Contains(p.PrimaryCode, primaryCodes));

        // A second run reuses every trained model (no retraining) and reproduces the same numbers.
        Reproduction.Run(new ReproduceOptions(data, Splits.For(data), ExperimentProfile.Smoke, results, models, Force: false, Seed: 42, DataDir: null), "system-a");
        Assert.Equal(overall.Where(r => r.Arm == "system_a").Select(r => r.Value), ResultsTable.Read(Path.Combine(results, "overall.csv")).Where(r => r.Arm == "system_a").Select(r => r.Value));
        Directory.Delete(root, recursive: true);
    }
}
