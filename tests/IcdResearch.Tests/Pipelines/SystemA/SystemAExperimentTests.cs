using IcdResearch.Data;
using IcdResearch.Evaluation;
using IcdResearch.Pipelines.SystemA;

namespace IcdResearch.Tests;

/// <summary>Logic test of the whole System A experiment on the synthetic sample, with deterministic fake models.</summary>
public class SystemAExperimentTests
{
    [Fact]
    public void WritesEveryResultFileWithConsistentArmsAndPredictions()
    {
        var data = Ccl25Dataset.Synthetic();
        var raw = data.TrainRaw.Select(r => r.Id).ToList();
        var entityOnly = data.TrainEntities.Select(e => e.Id).Except(raw).ToList();
        List<string> test = [.. raw.Take(8), .. entityOnly.Take(4)], dev = [.. raw.Skip(8).Take(8), .. entityOnly.Skip(4).Take(4)];
        var root = Path.Combine(Path.GetTempPath(), $"icd-sysa-{Guid.NewGuid():N}");
        var backend = new FakeModelBackend();
        var run = new SystemARun
        {
            Data = data, TrainIds = raw.Concat(entityOnly).Except(test).Except(dev).ToList(), DevIds = dev, TestIds = test,
            ModelsDir = Path.Combine(root, "models"), OutDir = Path.Combine(root, "results"),
            Profile = SystemAProfile.Smoke with { MaxRecordsPerSplit = null }, Log = TextWriter.Null,
        };
        var summary = new SystemAExperiment(backend, run).Run();

        Assert.Equal(12, summary.NTest);
        // The paper's five models plus the NER-enhanced model on Figure 3's prompt order (profile: PaperOrderNerModel).
        Assert.Equal(6, backend.Calls.Count(c => c.StartsWith("finetune")));
        var primary = ResultsTable.Read(Path.Combine(run.OutDir, "primary.csv"));
        foreach (var arm in PrimaryArms.All)
        {
            var acc = primary.Single(r => r.Experiment == "primary" && r.Arm == arm.Name() && r.Split == "test" && r.Metric == "primary_accuracy");
            Assert.Equal(12, acc.N);
            Assert.InRange(acc.Value, acc.CiLow, acc.CiHigh);
            var routed = primary.Single(r => r.Experiment == "primary" && r.Arm == arm.Name() && r.Split == "test" && r.Metric == "routed");
            if (arm == PrimaryArm.Baseline) Assert.Equal(0, routed.Value);
            else Assert.NotNull(acc.PValue); // paired test against the baseline arm
        }
        // conf+retr routes a subset of both single-criterion arms
        double Routed(string arm) => primary.Single(r => r.Experiment is "primary" or "primary_gate" && r.Arm == arm && r.Split == "test" && r.Metric == "routed").Value;
        Assert.True(Routed("confidence_retrieval") <= Math.Min(Routed("confidence_only"), Routed("retrieval_only")));

        // Every reading of the "Confidence = 1" gate is run; the bf16 gate can only route fewer cases than fp32's.
        foreach (var gate in PrimaryGates.All)
            Assert.Contains(primary, r => r.Experiment == "primary_gate" && r.Arm == $"confidence_retrieval@{gate.Name}" && r.Metric == "routed");
        Assert.True(Routed("confidence_retrieval@bf16") <= Routed("confidence_retrieval@fp32"));
        var calibration = ResultsTable.Read(Path.Combine(run.OutDir, "calibration.csv"));
        Assert.Equal(["first_token_probability", "mean_token_probability", "min_token_probability"],
            calibration.Where(r => r.Split == "test" && r.Metric == "auroc_primary_correct").Select(r => r.Arm).Order());   // the fakes record no runner-up: no margin

        var other = ResultsTable.Read(Path.Combine(run.OutDir, "other.csv"));
        foreach (var arm in new[] { "per_model_union", "per_model_intersection", "with_ner_paper_order", "ensemble_paper_order", "per_model_union_paper_order" })
            Assert.Contains(other, r => r.Arm == arm && r.Split == "test" && r.Metric == "other_f1");
        Assert.Contains(other, r => r.Arm == "ensemble" && r.Split == "dev" && r.Metric == "other_f1");
        Assert.Equal(4, other.Count(r => r.Arm.StartsWith("ensemble@") && r.Split == "test"));
        var ner = ResultsTable.Read(Path.Combine(run.OutDir, "ner.csv"));
        Assert.Contains(ner, r => r.Arm == "fine_tuned" && r.Metric == "ner_f1");
        Assert.True(ner.Single(r => r.Arm == "fine_tuned" && r.Metric == "ner_f1").Value > ner.Single(r => r.Arm == "zero_shot" && r.Metric == "ner_f1").Value);

        var overall = ResultsTable.Read(Path.Combine(run.OutDir, "overall.csv"));
        var systemA = overall.Single(r => r.Arm == "system_a" && r.Metric == "acc_f1");
        var preds = SubmissionFormat.Read(Path.Combine(run.OutDir, "predictions", "system_a.json"));
        Assert.Equal(run.TestIds.Order(), preds.Select(p => p.Id).Order());
        var gold = SystemACase.For(data, run.TestIds, run.Profile.ClinicalInfo).Select(c => c.Labels!).ToList();
        Assert.Equal(Ccl25Metrics.Evaluate(gold, preds).AccF1, systemA.Value, 9);

        var config = SystemAConfig.Load(run.ModelsDir);
        Assert.Equal(data.PrimaryCodes.Count, config.PrimaryCandidates.Count);

        // The vote threshold chosen on dev is recorded for `icd predict` and scored on test as system_a_tuned.
        var tunedRow = other.Single(r => r.Arm == "ensemble_tuned" && r.Split == "test" && r.Metric == "other_f1");
        Assert.NotNull(config.TunedVoteThreshold);
        Assert.Contains($"> {config.TunedVoteThreshold} of", tunedRow.Note);
        Assert.Equal(tunedRow.Value, overall.Single(r => r.Arm == "system_a_tuned" && r.Metric == "other_f1").Value, 9);
        Directory.Delete(root, recursive: true);
    }

    [Theory]
    [InlineData("paper", null, 7)]
    [InlineData("tuned", null, 7)]   // no tuned threshold recorded: the paper's rule
    [InlineData("tuned", 3, 3)]
    [InlineData("paper", 3, 7)]
    [InlineData("5", 3, 5)]
    public void PredictResolvesTheVoteThreshold(string vote, int? tuned, int expected)
    {
        var config = new SystemAConfig
        {
            PrimaryCandidates = [], OtherCandidates = [], Models = new Dictionary<string, string>(), Database = [],
            TunedVoteThreshold = tuned,
        };
        Assert.Equal(expected, Cli.Commands.PredictCommand.VoteThreshold(vote, config));
    }

    [Theory]
    [InlineData("16")]
    [InlineData("-1")]
    [InlineData("best")]
    public void PredictRejectsAnInvalidVoteThreshold(string vote)
    {
        var config = new SystemAConfig { PrimaryCandidates = [], OtherCandidates = [], Models = new Dictionary<string, string>(), Database = [] };
        var e = Assert.Throws<ArgumentException>(() => Cli.Commands.PredictCommand.VoteThreshold(vote, config));
        Assert.Contains("--vote", e.Message);
    }
}
