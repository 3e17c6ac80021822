using IcdResearch.Pipelines;
using IcdResearch.Data;
using IcdResearch.Evaluation;
using IcdResearch.Pipelines.Study;
using IcdResearch.Pipelines.SystemA;

namespace IcdResearch.Tests;

/// <summary>The seed/fold study: pooling statistics, the fold splits, the runner end to end (fixture seed runs + real fold baselines) and the curve options.</summary>
public class SeedStudyTests
{
    [Fact]
    public void StoufferPoolsSignedPerSeedTestsAndTIntervalsCoverTheSeeds()
    {
        var (z, p) = SeedStatistics.Stouffer([(+0.1, 0.05), (+0.2, 0.05)]);
        Assert.Equal(2 * 1.959964 / Math.Sqrt(2), z, 3);       // two seeds each at p = 0.05 in the same direction
        Assert.InRange(p, 0.005, 0.006);
        Assert.Equal(0, SeedStatistics.Stouffer([(+0.1, 0.05), (-0.1, 0.05)]).Z, 6);   // opposite signs cancel
        Assert.Equal(1, SeedStatistics.Stouffer([(+0.1, 0.05), (-0.1, 0.05)]).P, 6);
        var (lo, hi) = SeedStatistics.TCi([1, 2, 3]);
        Assert.Equal(2 - 4.303 / Math.Sqrt(3), lo, 6);         // mean 2, SD 1, t(0.975, 2) = 4.303
        Assert.Equal(2 + 4.303 / Math.Sqrt(3), hi, 6);
        Assert.True(double.IsNaN(SeedStatistics.TCi([0.5]).Low));
        Assert.Equal(0.975, SeedStatistics.NormalCdf(1.959964), 6);
    }

    [Fact]
    public void FoldSplitsTestEachFoldOnceAndKeepTheRestForTraining()
    {
        var data = Ccl25Dataset.Synthetic();
        var split = Splits.Create(data);
        var tested = new List<string>();
        for (var k = 0; k < split.Folds.Count; k++)
        {
            var fold = split.Fold(k);
            fold.Validate(data);                                        // every labelled record in exactly one part
            Assert.Equal(split.Folds[k], fold.Test);
            Assert.Equal(split.Folds[(k + 1) % split.Folds.Count], fold.Dev);
            Assert.Subset(fold.Train.ToHashSet(), split.Test.ToHashSet());  // the held-out test records are training material here
            tested.AddRange(fold.Test);
        }
        Assert.Equal(split.Train.Concat(split.Dev).Order(), tested.Order());
        Assert.Equal(split.Test.Concat(split.Dev).ToHashSet(), split.HeldOutFromPretraining());
    }

    /// <summary>A seed's results as the experiments write them: arm rows with p-values against their baseline arm.</summary>
    static void FixtureSeed(int seed, string dir)
    {
        ResultRow R(string exp, string arm, string metric, double value, double? p = null) =>
            new() { Experiment = exp, Arm = arm, Split = "test", N = 48, Metric = metric, Value = value, CiLow = value - 0.1, CiHigh = value + 0.1, PValue = p };
        // Retrieval gain +0.1 at seeds 1 and 2, −0.05 at seed 3; CCL line 4 − line 3 always −0.01.
        var gain = seed == 3 ? -0.05 : 0.1;
        ResultsTable.Write(Path.Combine(dir, "primary.csv"),
            [R("primary", "baseline", "primary_accuracy", 0.4), R("primary", "confidence_retrieval", "primary_accuracy", 0.4 + gain, seed == 3 ? 0.5 : 0.05)]);
        ResultsTable.Write(Path.Combine(dir, "ccl_ablation.csv"),
            [R("ccl_ablation", "doc_evidence", "micro_f1", 0.30), R("ccl_ablation", "gold_spans", "micro_f1", 0.29, 0.8)]);
    }

    [Fact]
    public void RunnerPoolsSeedsIntoArmsAndDeltasAndRunsTheBaselinesOverFoldsTimesSeeds()
    {
        var data = Ccl25Dataset.Synthetic();
        var split = Splits.Create(data);
        var dir = Directory.CreateTempSubdirectory("icd-study-").FullName;
        var result = StudyRunner.Run(new StudyPlan([1, 2, 3]), dir, data, split, (seed, seedDir) => FixtureSeed(seed, seedDir));

        var retrieval = result.Arms.Single(r => r.Arm == "confidence_retrieval" && r.Metric == "primary_accuracy");
        Assert.Equal(0.4 + (0.1 + 0.1 - 0.05) / 3, retrieval.Value, 9);
        Assert.Contains("k = 3 runs", retrieval.Note);
        var delta = result.Deltas.Single(r => r.Arm == "confidence_retrieval - baseline");
        Assert.Equal(0.05, delta.Value, 9);
        Assert.Contains("2/3 runs with the paper's sign (+)", delta.Note);
        Assert.InRange(delta.PValue!.Value, 0.0, 0.2);                  // two seeds at p = 0.05 outweigh one at 0.5 against
        var ccl = result.Deltas.Single(r => r.Arm == "gold_spans - doc_evidence");
        Assert.Equal(-0.01, ccl.Value, 9);
        Assert.Contains("0/3 runs with the paper's sign", ccl.Note);
        Assert.DoesNotContain(result.Deltas, r => r.Arm.StartsWith("silver_synthetic_equal_steps", StringComparison.Ordinal)); // absent rows: no delta

        // Baselines: 5 folds × 3 seeds = 15 runs per arm, each fold's test part a different fifth of train ∪ dev.
        var tfidf = result.Folds.Single(r => r.Arm == "tfidf-lr" && r.Metric == "acc_f1");
        Assert.Contains("k = 15 runs", tfidf.Note);
        Assert.InRange(tfidf.Value, 0, 1);
        Assert.True(tfidf.CiLow <= tfidf.Value && tfidf.Value <= tfidf.CiHigh);
        foreach (var file in new[] { "study.csv", "study_deltas.csv", "study_folds.csv", "study_seconds.csv" })
            Assert.NotEmpty(ResultsTable.Read(Path.Combine(dir, file)));
        Directory.Delete(dir, true);
    }

    [Fact]
    public void CurveOptionsChangeTheProfileAndKeepEachPointsModelsApart()
    {
        var (sized, sizedName) = Reproduction.Curves(ExperimentProfile.Default, "base", null);
        Assert.Equal("base", sized.SystemA.BackboneSize);
        Assert.Equal("default-base", sizedName);
        var (data, dataName) = Reproduction.Curves(ExperimentProfile.Default, null, 150);
        Assert.Equal(150, data.SystemA.EntityOnlyTrainRecords);
        Assert.Equal("default-e150", dataName);
        Assert.Equal("default", Reproduction.Curves(ExperimentProfile.Default, "small", 300).ModelsName);   // the profile's own point
        Assert.Throws<ArgumentException>(() => Reproduction.Curves(ExperimentProfile.Default, "huge", null));
    }
}
