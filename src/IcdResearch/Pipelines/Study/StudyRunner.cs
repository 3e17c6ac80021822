using System.Diagnostics;
using IcdResearch.Data;
using IcdResearch.Evaluation;
using IcdResearch.Pipelines.Baselines;

namespace IcdResearch.Pipelines.Study;

/// <summary>What a study repeats: the seeds of System A and CCL, and whether the baselines also run over the split's folds × seeds.</summary>
public sealed record StudyPlan(IReadOnlyList<int> Seeds, bool Folds = true)
{
    public static IReadOnlyList<int> DefaultSeeds { get; } = [42, 7, 13];
}

/// <summary>
/// `icd reproduce --study`: repeats one seed's reproduction (System A, CCL and the baselines on the committed split —
/// supplied by the caller, who owns models folders and profiles) for every seed into OUT/seed-N/, the baselines over
/// the split's 5 stratified folds × the seeds into OUT/folds/seed-N/fold-K/, and pools them (<see cref="SeedStudy"/>):
/// OUT/study.csv (per arm: mean, SD over seeds, t CI), OUT/study_deltas.csv (per ablation delta: mean, CI, pooled p,
/// share of seeds with the paper's sign), OUT/study_folds.csv (baselines over folds × seeds), OUT/study_seconds.csv.
/// </summary>
public static class StudyRunner
{
    public sealed record Result(List<ResultRow> Arms, List<ResultRow> Deltas, List<ResultRow> Folds, IReadOnlyDictionary<string, double> Seconds);

    public static Result Run(StudyPlan plan, string outDir, Ccl25Dataset data, DataSplit split, Action<int, string> reproduceSeed, Action<string>? log = null)
    {
        Directory.CreateDirectory(outDir);
        var seconds = new Dictionary<string, double>();
        var seedRuns = new List<StudyRun>();
        foreach (var seed in plan.Seeds)
        {
            var dir = Path.Combine(outDir, $"seed-{seed}");
            log?.Invoke($"study: seed {seed} → {dir}");
            var sw = Stopwatch.StartNew();
            reproduceSeed(seed, dir);
            seconds[$"seed-{seed}"] = sw.Elapsed.TotalSeconds;
            seedRuns.Add(new StudyRun($"seed-{seed}", dir));
        }
        var foldRuns = new List<StudyRun>();
        if (plan.Folds)
        {
            var sw = Stopwatch.StartNew();
            foreach (var seed in plan.Seeds)
                for (var k = 0; k < split.Folds.Count; k++)
                {
                    var dir = Path.Combine(outDir, "folds", $"seed-{seed}", $"fold-{k}");
                    var rows = BaselineExperiment.Run(data, split.Fold(k), seed, Path.Combine(dir, "predictions"), log);
                    ResultsTable.Write(Path.Combine(dir, "baselines.csv"), rows);
                    foldRuns.Add(new StudyRun($"seed-{seed}/fold-{k}", dir));
                }
            seconds["baseline_folds"] = sw.Elapsed.TotalSeconds;
        }
        var result = new Result(SeedStudy.Arms(seedRuns), SeedStudy.Deltas(seedRuns), SeedStudy.Arms(foldRuns, "study_folds"), seconds);
        ResultsTable.Write(Path.Combine(outDir, "study.csv"), result.Arms);
        ResultsTable.Write(Path.Combine(outDir, "study_deltas.csv"), result.Deltas);
        if (plan.Folds) ResultsTable.Write(Path.Combine(outDir, "study_folds.csv"), result.Folds);
        ResultsTable.Write(Path.Combine(outDir, "study_seconds.csv"), seconds.Select(kv => ArmRows.Count("study_seconds", kv.Key, "all", 1, "seconds", kv.Value, "wall clock of this part of the study")));
        return result;
    }
}
