using System.Diagnostics;
using IcdResearch.Data;
using IcdResearch.Evaluation;
using IcdResearch.Pipelines.Baselines;

namespace IcdResearch.Pipelines.Study;

/// <summary>What a study repeats: the seeds of System A and CCL, and whether the baselines also run over the split's folds × seeds.</summary>
public sealed record StudyPlan(IReadOnlyList<int> Seeds, bool Folds = true, bool Resume = false)
{
    /// <summary>Written into a seed's or fold's folder when its run finished; <see cref="Resume"/> skips folders that have it.</summary>
    public const string CompleteMarker = "study-run-complete.txt";

    public static IReadOnlyList<int> DefaultSeeds { get; } = [42, 7, 13];
}

/// <summary>
/// `icd reproduce --study`: repeats one seed's reproduction (System A, CCL and the baselines on the committed split —
/// supplied by the caller, who owns models folders and profiles) for every seed into OUT/seed-N/, the baselines over
/// the split's 5 stratified folds × the seeds into OUT/folds/seed-N/fold-K/, and pools them (<see cref="SeedStudy"/>):
/// OUT/study.csv (per arm: mean, SD over seeds, t CI), OUT/study_deltas.csv (per ablation delta: mean, CI, pooled p,
/// share of seeds with the paper's sign; the headline comparisons also at the record level,
/// <see cref="SeedStudy.RecordLevel"/>), OUT/study_folds.csv (baselines over folds × seeds; CI over the 5 fold means),
/// OUT/study_seconds.csv.
/// </summary>
public static class StudyRunner
{
    public sealed record Result(List<ResultRow> Arms, List<ResultRow> Deltas, List<ResultRow> Folds, IReadOnlyDictionary<string, double> Seconds);

    public static Result Run(StudyPlan plan, string outDir, Ccl25Dataset data, DataSplit split, Action<int, string> reproduceSeed, Action<string>? log = null)
    {
        Directory.CreateDirectory(outDir);
        // Resumed: the wall clock of the parts kept from earlier runs stays as it was measured then.
        var secondsPath = Path.Combine(outDir, "study_seconds.csv");
        var seconds = plan.Resume && File.Exists(secondsPath)
            ? ResultsTable.Read(secondsPath).ToDictionary(r => r.Arm, r => r.Value)
            : new Dictionary<string, double>();
        var (keptSeeds, keptFolds) = (0, 0);
        var seedRuns = new List<StudyRun>();
        foreach (var seed in plan.Seeds)
        {
            var dir = Path.Combine(outDir, $"seed-{seed}");
            seedRuns.Add(new StudyRun($"seed-{seed}", dir));
            if (plan.Resume && Finished(dir))
            {
                log?.Invoke($"study: seed {seed} finished earlier ({Path.Combine(dir, StudyPlan.CompleteMarker)}) — kept");
                keptSeeds++;
                continue;
            }
            log?.Invoke($"study: seed {seed} → {dir}");
            var sw = Stopwatch.StartNew();
            reproduceSeed(seed, dir);
            seconds[$"seed-{seed}"] = sw.Elapsed.TotalSeconds;
            MarkFinished(dir, $"seed-{seed}");
        }
        var foldRuns = new List<StudyRun>();
        if (plan.Folds)
        {
            var sw = Stopwatch.StartNew();
            foreach (var seed in plan.Seeds)
                for (var k = 0; k < split.Folds.Count; k++)
                {
                    var dir = Path.Combine(outDir, "folds", $"seed-{seed}", $"fold-{k}");
                    foldRuns.Add(new StudyRun($"seed-{seed}/fold-{k}", dir, Group: $"fold-{k}"));
                    if (plan.Resume && Finished(dir))
                    {
                        keptFolds++;
                        continue;
                    }
                    var rows = BaselineExperiment.Run(data, split.Fold(k), seed, Path.Combine(dir, "predictions"), log);
                    ResultsTable.Write(Path.Combine(dir, "baselines.csv"), rows);
                    MarkFinished(dir, $"seed-{seed}/fold-{k}");
                }
            if (keptFolds < foldRuns.Count) seconds["baseline_folds"] = sw.Elapsed.TotalSeconds;   // of the runs made now
        }
        if (plan.Resume) log?.Invoke($"study: resumed — kept {keptSeeds} seed folders and {keptFolds} fold runs that had finished earlier");
        var labels = data.LabelsById;
        var gold = split.Test.Where(labels.ContainsKey).Select(id => labels[id]).ToList();
        var result = new Result(SeedStudy.Arms(seedRuns), [.. SeedStudy.Deltas(seedRuns), .. SeedStudy.RecordLevel(seedRuns, gold)],
            SeedStudy.Arms(foldRuns, "study_folds"), seconds);
        ResultsTable.Write(Path.Combine(outDir, "study.csv"), result.Arms);
        ResultsTable.Write(Path.Combine(outDir, "study_deltas.csv"), result.Deltas);
        if (plan.Folds) ResultsTable.Write(Path.Combine(outDir, "study_folds.csv"), result.Folds);
        ResultsTable.Write(secondsPath, seconds.Select(kv => ArmRows.Count("study_seconds", kv.Key, "all", 1, "seconds", kv.Value, "wall clock of this part of the study")));
        return result;
    }

    static bool Finished(string dir) => File.Exists(Path.Combine(dir, StudyPlan.CompleteMarker));

    static void MarkFinished(string dir, string label) =>
        File.WriteAllText(Path.Combine(dir, StudyPlan.CompleteMarker), $"{label} finished {DateTime.UtcNow:yyyy-MM-ddTHH:mm:ssZ}\n");
}
