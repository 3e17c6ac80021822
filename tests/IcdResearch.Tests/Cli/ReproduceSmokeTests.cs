using System.Diagnostics;
using IcdResearch.Figures;
using System.Text.Json;
using IcdResearch.Cli;
using IcdResearch.Cli.Commands;
using IcdResearch.Data;
using IcdResearch.Evaluation;
using IcdResearch.Pipelines;
using IcdResearch.Pipelines.SystemA;
using IcdResearch.Progress;

namespace IcdResearch.Tests;

/// <summary>
/// End to end: `icd reproduce --profile smoke` on the synthetic sample (real TorchSharp models, tiny sizes) as a child
/// process with stdout piped (as in CI), then `icd predict` with the trained models on unlabelled, imperfect and
/// broken records. The suite's main time cost (~1–3 min on a quiet machine).
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
        Directory.CreateDirectory(root);
        var (exitCode, stdout, stderr) = RunIcd(root, "reproduce", "--profile", "smoke", "--out", results, "--models", models);
        Assert.True(exitCode == 0, $"icd reproduce failed ({exitCode}): {stderr}");

        // Progress with stdout not a terminal: plain lines from every long step, and never a silent stretch longer
        // than a few progress intervals (1 s here), however slow the machine: a heartbeat repeats the current step.
        var texts = stdout.Select(l => l.Text).ToList();
        foreach (var step in new[] { "baselines: ", "tfidf-lr fit", "System A (smoke): ", "pretrain: ", "sft (", "primary first pass: ", "NER on ", "other diagnoses " })
            Assert.Contains(texts, t => t.StartsWith(step, StringComparison.Ordinal));
        // Every stage done: pretrain, retrieval, one per trained model (the paper's five + the paper-order NER model), primary arms, NER, other.
        Assert.Contains(texts, t => t.StartsWith("System A (smoke): 11/11 stages", StringComparison.Ordinal) && t.Contains("done in"));
        Assert.Contains(texts, t => t.StartsWith("pretrain: ", StringComparison.Ordinal) && t.Contains(" loss ") && t.Contains(" tok/s") && t.Contains(" eta "));
        Assert.Contains(texts, t => t.StartsWith("primary first pass: ", StringComparison.Ordinal) && t.Contains(" records/s"));
        Assert.DoesNotContain(texts, t => t.Contains('\u001b')); // no ANSI escapes in a log
        var gaps = stdout.Zip(stdout.Skip(1), (a, b) => (Seconds: (b.At - a.At).TotalSeconds, After: a.Text)).ToList();
        var longest = gaps.MaxBy(g => g.Seconds);
        Assert.True(longest.Seconds < 10, $"stdout was silent for {longest.Seconds:F1} s after \"{longest.After}\"");
        // The closing headline table: arm, n, value, CI and the paper's value, then where the files are.
        Assert.Contains(texts, t => t.Contains("system_a ") && t.Contains("acc_recall") && t.Contains("0.834"));
        Assert.Contains(texts, t => t.StartsWith("files: " + Path.GetFullPath(results), StringComparison.Ordinal));

        foreach (var file in new[] { "primary.csv", "ner.csv", "other.csv", "overall.csv", "baselines.csv" })
            Assert.NotEmpty(ResultsTable.Read(Path.Combine(results, file)));
        var overall = ResultsTable.Read(Path.Combine(results, "overall.csv"));
        Assert.Contains(overall, r => r.Arm == "system_a" && r.Metric == "acc_f1" && r.N > 0 && r.Value is >= 0 and <= 1);
        Assert.Contains(overall, r => r.Arm == "system_a-vs-tfidf-lr" && r.PValue is > 0 and <= 1);
        using (var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(results, "summary.json"))))
        {
            Assert.Equal("smoke", summary.RootElement.GetProperty("profile").GetString());
            Assert.True(summary.RootElement.GetProperty("timings_seconds").GetProperty("system_a").GetDouble() > 0);
            // Where the run sits on the scale and data curves: the smoke backbone, its parameter count, the entity records added.
            var point = CurvePoint.FromSummary(summary.RootElement)!;
            var (backbone, _) = Inference.ModelFolder.Load(ModelLayout.Backbone(models));
            using (backbone)
                Assert.Equal(new CurvePoint("tiny", backbone.parameters().Sum(p => p.numel()), ExperimentProfile.Smoke.SystemA.EntityOnlyTrainRecords), point);
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
        // predictions, whatever the batch size (sampling seeds come from record ids, not positions), and the same
        // predictions when decoding through the HF modules instead of the fused, prefix-sharing decoder.
        var testInput = Path.Combine(results, "predictions", "test-input.json");
        Assert.DoesNotContain("主要诊断编码", File.ReadAllText(testInput));
        foreach (var (batch, vote, decoder, reported) in new[] { ("1", "paper", "fused", "system_a.json"), ("5", "paper", "fused", "system_a.json"), ("5", "tuned", "fused", "system_a_tuned.json"), ("5", "tuned", "modules", "system_a_tuned.json") })
        {
            var predicted = Path.Combine(root, $"predict-{batch}-{vote}-{decoder}.json");
            Assert.Equal(0, Program.Main(["predict", "--models", models, "--input", testInput, "--out", predicted, "--batch", batch, "--vote", vote, "--decoder", decoder]));
            Assert.Equal(File.ReadAllText(Path.Combine(results, "predictions", reported)), File.ReadAllText(predicted));
        }

        // icd predict: labels stripped, a field missing (read as empty, with a warning), one record without any text
        // (the counted fallback: nearest case's primary code, no other codes).
        var input = Path.Combine(root, "input.json");
        var records = data.TrainRaw.Take(3).Select(r => new Dictionary<string, object?>
        {
            ["病案标识"] = r.Id, ["主诉"] = r.ChiefComplaint, ["入院诊断"] = r.AdmissionDiagnosis, ["既往史"] = null,
        }).ToList();
        records.Add(new Dictionary<string, object?> { ["病案标识"] = "SYN-NO-TEXT" });
        File.WriteAllText(input, JsonSerializer.Serialize(records));
        var output = Path.Combine(root, "pred.json");
        Assert.Equal(0, Program.Main(["predict", "--models", models, "--input", input, "--out", output]));
        var predictions = SubmissionFormat.Read(output);
        Assert.Equal([.. data.TrainRaw.Take(3).Select(r => r.Id), "SYN-NO-TEXT"], predictions.Select(p => p.Id));

        // Models trained on the synthetic sample refuse real (non-SYN) records unless asked explicitly.
        var real = Path.Combine(root, "real.json");
        File.WriteAllText(real, JsonSerializer.Serialize(new[] { new Dictionary<string, object?> { ["病案标识"] = "8f3a", ["主诉"] = "胸痛2天", ["入院诊断"] = "冠心病" } }));
        Assert.Equal(2, Program.Main(["predict", "--models", models, "--input", real, "--out", Path.Combine(root, "real-pred.json")]));
        Assert.False(File.Exists(Path.Combine(root, "real-pred.json")));
        Assert.Equal(0, Program.Main(["predict", "--models", models, "--input", real, "--out", Path.Combine(root, "real-pred.json"), "--allow-synthetic-models"]));
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

    /// <summary>Runs the built `icd` (icd.dll beside the tests) in <paramref name="workingDirectory"/> with stdout piped; each stdout line with the time it arrived.</summary>
    static (int ExitCode, List<(DateTime At, string Text)> Stdout, string Stderr) RunIcd(string workingDirectory, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "icd.dll"));
        foreach (var a in args) start.ArgumentList.Add(a);
        start.Environment[WorkProgress.IntervalVariable] = "1";
        var lines = new List<(DateTime, string)>();
        var stderr = new System.Text.StringBuilder();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (lines) lines.Add((DateTime.UtcNow, e.Data)); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (stderr) stderr.AppendLine(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        process.WaitForExit();
        return (process.ExitCode, lines, stderr.ToString());
    }
}
