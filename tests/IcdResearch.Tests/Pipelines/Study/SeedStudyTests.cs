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

        // Baselines: 5 folds × 3 seeds = 15 runs per arm, each fold's test part a different fifth of train ∪ dev;
        // the CI is over the 5 independent test sets (each fold's seeds averaged), not over 15 runs.
        var tfidf = result.Folds.Single(r => r.Arm == "tfidf-lr" && r.Metric == "acc_f1");
        Assert.Contains("k = 5 runs (fold means of 15 fold × seed runs", tfidf.Note);
        Assert.Equal(15, tfidf.Note!.Split(' ').Count(w => w.StartsWith("seed-", StringComparison.Ordinal) && w.Contains("/fold-")));
        Assert.InRange(tfidf.Value, 0, 1);
        Assert.True(tfidf.CiLow <= tfidf.Value && tfidf.Value <= tfidf.CiHigh);
        Assert.Equal(5, SeedStudy.Spread(tfidf).Runs);
        foreach (var file in new[] { "study.csv", "study_deltas.csv", "study_folds.csv", "study_seconds.csv" })
            Assert.NotEmpty(ResultsTable.Read(Path.Combine(dir, file)));

        // --resume: finished seeds and folds are kept (the seed callback is not called again); a fold without its
        // completion marker (an interrupted run) is run again; the pooled tables come out the same.
        var refold = Path.Combine(dir, "folds", "seed-2", "fold-3");
        File.Delete(Path.Combine(refold, StudyPlan.CompleteMarker));
        File.Delete(Path.Combine(refold, "baselines.csv"));
        var resumed = StudyRunner.Run(new StudyPlan([1, 2, 3], Resume: true), dir, data, split,
            (seed, _) => throw new InvalidOperationException($"seed {seed} finished before and must be kept"));
        Assert.True(File.Exists(Path.Combine(refold, StudyPlan.CompleteMarker)));
        Assert.Equal(result.Folds.Select(r => (r.Arm, r.Metric, r.Value)), resumed.Folds.Select(r => (r.Arm, r.Metric, r.Value)));
        Assert.Equal(result.Deltas.Select(r => (r.Arm, r.Value)), resumed.Deltas.Select(r => (r.Arm, r.Value)));
        Assert.Equal(result.Seconds["seed-1"], resumed.Seconds["seed-1"], 3);           // kept parts keep their measured time
        Directory.Delete(dir, true);
    }

    [Fact]
    public void RunsOfOneFoldArePooledAsOneTestSet()
    {
        // 2 folds × 2 seeds: fold 0 scores 0.4 and 0.6 (the seed matters), fold 1 scores 0.8 at both seeds.
        var root = Directory.CreateTempSubdirectory("icd-study-folds-").FullName;
        var runs = new List<StudyRun>();
        foreach (var (fold, seed, value) in new[] { (0, 1, 0.4), (0, 2, 0.6), (1, 1, 0.8), (1, 2, 0.8) })
        {
            var dir = Path.Combine(root, $"seed-{seed}", $"fold-{fold}");
            Directory.CreateDirectory(dir);
            ResultsTable.Write(Path.Combine(dir, "baselines.csv"),
                [new ResultRow { Experiment = "baselines", Arm = "tfidf-lr", Split = $"fold{fold}/test", N = 23, Metric = "acc_f1", Value = value, CiLow = value - 0.1, CiHigh = value + 0.1 }]);
            runs.Add(new StudyRun($"seed-{seed}/fold-{fold}", dir, Group: $"fold-{fold}"));
        }
        var row = SeedStudy.Arms(runs, "study_folds").Single();
        var (lo, hi) = SeedStatistics.TCi([0.5, 0.8]);                  // over the two fold means, df = 1
        Assert.Equal(0.65, row.Value, 9);
        Assert.Equal(lo, row.CiLow, 9);
        Assert.Equal(hi, row.CiHigh, 9);
        Assert.Equal(2, SeedStudy.Spread(row).Runs);
        Assert.Equal(SeedStatistics.Sd([0.5, 0.8]), SeedStudy.Spread(row).Sd, 9);
        Assert.Contains("fold means of 4 fold × seed runs", row.Note);
        Directory.Delete(root, true);
    }

    [Fact]
    public void HeadlineIsAlsoTestedOverRecordsWithEachRecordsScoreAveragedOverSeeds()
    {
        CodeAssignment C(string id, string primary, params string[] others) => new(id, primary, others);
        List<CodeAssignment> gold = [C("r1", "A", "x", "y"), C("r2", "B", "x"), C("r3", "A"), C("r4", "C", "z")];
        var root = Directory.CreateTempSubdirectory("icd-study-records-").FullName;
        var runs = new List<StudyRun>();
        // tfidf-lr gets every primary right and no other code; System A gets r1's primary right at seed 1 only and
        // r2's at both seeds, with r1's other codes exactly right. Seed 3 has no predictions (left out).
        for (var seed = 1; seed <= 3; seed++)
        {
            var dir = Path.Combine(root, $"seed-{seed}");
            Directory.CreateDirectory(Path.Combine(dir, "predictions", "baselines"));
            runs.Add(new StudyRun($"seed-{seed}", dir));
            if (seed == 3) continue;
            SubmissionFormat.Write(Path.Combine(dir, "predictions", "baselines", "tfidf-lr.json"), gold.Select(g => C(g.Id, g.PrimaryCode)));
            SubmissionFormat.Write(Path.Combine(dir, "predictions", "system_a_tuned.json"),
                [C("r1", seed == 1 ? "A" : "B", "x", "y"), C("r2", "B"), C("r3", "B"), C("r4", "B")]);
        }
        var row = Assert.Single(SeedStudy.RecordLevel(runs, gold));            // system_a.json is absent: only the tuned comparison
        Assert.Equal("system_a_tuned-vs-tfidf-lr (records)", row.Arm);
        // Per record, Eq. 4 = 0.5·I(primary) + 0.5·F1(other): ours r1 (1 + 0.5)/2 = 0.75, r2 0.5, r3 0, r4 0; tfidf-lr 0.5, 0.5, 0.5 (no other codes → F1 0), 0.5.
        var expected = ((0.75 - 0.5) + (0.5 - 0.5) + (0 - 0.5) + (0 - 0.5)) / 4;
        Assert.Equal(expected, row.Value, 9);
        Assert.Equal(4, row.N);
        Assert.Contains("k = 2 runs (seed-1, seed-2)", row.Note);
        Assert.InRange(row.PValue!.Value, 0, 1);
        Assert.True(row.CiLow <= row.Value && row.Value <= row.CiHigh);
        Directory.Delete(root, true);
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
