using System.Globalization;
using System.Text.RegularExpressions;
using IcdResearch.Data;
using IcdResearch.Evaluation;

namespace IcdResearch.Pipelines.Study;

/// <summary>
/// One finished run of the study: a label (e.g. "seed-7", "seed-7/fold-2"), the results folder it wrote and, for runs
/// that repeat one test set with other seeds, its group (the fold): pooling averages a group's runs first, so k counts
/// independent test sets, not seeds of a fit that may not depend on the seed at all.
/// </summary>
public sealed record StudyRun(string Label, string ResultsDir, string? Group = null);

/// <summary>
/// Pools repeated runs of the same experiments (seeds; folds × seeds) into estimates a reviewer can trust:
/// per arm (file, experiment, arm, split, metric) the mean over runs, the run-to-run SD and a t 95% CI over runs (runs
/// of one fold averaged first, <see cref="StudyRun.Group"/>);
/// per ablation delta (<see cref="StudyDeltas"/>) the mean delta with its t CI, Stouffer's pooled p over the per-run
/// paired tests, and the share of runs whose delta has the paper's sign. Stouffer assumes independent tests; the seeds'
/// tests share the 48 test records, so its p overstates the evidence — the t CI over seeds is the conservative reading.
/// Rows that exist in only some runs are pooled over those (the note says how many).
/// </summary>
public static partial class SeedStudy
{
    /// <summary>Results files pooled per arm (System A, CCL and baseline tables).</summary>
    public static readonly string[] Files = ["primary.csv", "calibration.csv", "ner.csv", "other.csv", "overall.csv", "baselines.csv", "ccl_ablation.csv", "ccl_unseen.csv", "ccl_ood.csv", "ccl_efficiency.csv"];

    /// <summary>"test" for the test part of any split ("ccl25-seed42-fold3/test" → "test"), else the split as written.</summary>
    public static string NormalizeSplit(string split) => split.EndsWith("/test", StringComparison.Ordinal) ? "test" : split;

    public static List<ResultRow> Arms(IReadOnlyList<StudyRun> runs, string experimentPrefix = "study")
    {
        var values = new Dictionary<(string File, string Experiment, string Arm, string Split, string Metric), List<(string Run, ResultRow Row)>>();
        foreach (var run in runs)
            foreach (var file in Files)
            {
                var path = Path.Combine(run.ResultsDir, file);
                if (!File.Exists(path)) continue;
                foreach (var row in ResultsTable.Read(path).Where(r => !double.IsNaN(r.Value)))
                {
                    var key = (file, row.Experiment, row.Arm, NormalizeSplit(row.Split), row.Metric);
                    if (!values.TryGetValue(key, out var list)) values[key] = list = [];
                    list.Add((run.Label, row));
                }
            }
        var groupOf = runs.ToDictionary(r => r.Label, r => r.Group ?? r.Label);
        return values.Select(kv =>
        {
            // One value per independent test set: a group's (fold's) runs are averaged over their seeds first.
            var groups = kv.Value.GroupBy(x => groupOf[x.Run]).Select(g => (Group: g.Key, Values: g.Select(x => x.Row.Value).ToList())).ToList();
            var v = groups.Select(g => g.Values.Average()).ToList();
            var (lo, hi) = SeedStatistics.TCi(v);
            var halfWidths = kv.Value.Where(x => !double.IsNaN(x.Row.CiLow)).Select(x => (x.Row.CiHigh - x.Row.CiLow) / 2).ToList();
            var within = halfWidths.Count == 0 ? "" : F($"; mean within-run 95% CI half-width (test records) {halfWidths.Average():0.000}");
            var grouped = groups.Count == kv.Value.Count ? ""
                : F($" (fold means of {kv.Value.Count} fold × seed runs; SD over seeds within a fold {groups.Where(g => g.Values.Count > 1).Select(g => SeedStatistics.Sd(g.Values)).DefaultIfEmpty(double.NaN).Average():0.000})");
            return new ResultRow
            {
                Experiment = $"{experimentPrefix}:{kv.Key.Experiment}", Arm = kv.Key.Arm, Split = kv.Key.Split, N = kv.Value[0].Row.N, Metric = kv.Key.Metric,
                Value = v.Average(), CiLow = lo, CiHigh = hi,
                Note = F($"{kv.Key.File}; k = {v.Count} runs{grouped}; SD over runs {SeedStatistics.Sd(v):0.000}; CI: t over runs{within}; values ") +
                       string.Join(" ", kv.Value.Select(x => F($"{x.Run}={x.Row.Value:0.###}"))),
            };
        }).OrderBy(r => r.Experiment, StringComparer.Ordinal).ThenBy(r => r.Arm, StringComparer.Ordinal).ThenBy(r => r.Split, StringComparer.Ordinal)
            .ThenBy(r => r.Metric, StringComparer.Ordinal).ToList();
    }

    public static List<ResultRow> Deltas(IReadOnlyList<StudyRun> runs, IEnumerable<StudyDelta>? deltas = null)
    {
        var rows = new List<ResultRow>();
        var cache = new Dictionary<(string, string), List<ResultRow>>();
        List<ResultRow> Read(StudyRun run, string file)
        {
            if (!cache.TryGetValue((run.ResultsDir, file), out var r))
                cache[(run.ResultsDir, file)] = r = File.Exists(Path.Combine(run.ResultsDir, file)) ? ResultsTable.Read(Path.Combine(run.ResultsDir, file)) : [];
            return r;
        }
        foreach (var d in deltas ?? StudyDeltas.All)
        {
            var perRun = new List<(string Run, double Delta, double P, int N)>();
            foreach (var run in runs)
            {
                var test = Read(run, d.File).Where(r => r.Metric == d.Metric && NormalizeSplit(r.Split) == "test").ToList();
                var arm = test.FirstOrDefault(r => r.Experiment == d.Experiment && r.Arm == d.Arm);
                if (arm is null) continue;
                // The baseline arm may sit in another experiment of the same file (e.g. primary_gate arms vs primary's baseline).
                var baseline = d.Baseline is null ? null
                    : test.FirstOrDefault(r => r.Experiment == d.Experiment && r.Arm == d.Baseline) ?? test.FirstOrDefault(r => r.Arm == d.Baseline);
                if (d.Baseline is not null && baseline is null) continue;
                var delta = baseline is null ? arm.Value : arm.Value - baseline.Value;
                perRun.Add((run.Label, delta, arm.PValue ?? double.NaN, arm.N));
            }
            if (perRun.Count == 0) continue;
            var deltasOnly = perRun.Select(x => x.Delta).ToList();
            var (lo, hi) = SeedStatistics.TCi(deltasOnly);
            var withP = perRun.Where(x => !double.IsNaN(x.P)).Select(x => (x.Delta, x.P)).ToList();
            var (z, p) = withP.Count == 0 ? (double.NaN, double.NaN) : SeedStatistics.Stouffer(withP);
            var sign = d.PaperSign == 0 ? "paper makes no claim" : F($"{perRun.Count(x => Math.Sign(x.Delta) == d.PaperSign)}/{perRun.Count} runs with the paper's sign ({(d.PaperSign > 0 ? "+" : "-")})");
            rows.Add(new ResultRow
            {
                Experiment = "study_delta", Arm = d.Name, Split = "test", N = perRun[0].N, Metric = d.Metric,
                Value = deltasOnly.Average(), CiLow = lo, CiHigh = hi, PValue = double.IsNaN(p) ? null : p,
                Note = F($"{d.Claim}; k = {perRun.Count} runs; {sign}; pooled p: Stouffer Z = {z:0.00} over {withP.Count} per-run paired tests (they share the test records: p overstates the evidence); SD over runs {SeedStatistics.Sd(deltasOnly):0.000}; CI: t over runs; ") +
                       string.Join(" ", perRun.Select(x => F($"{x.Run}: {x.Delta:+0.000;-0.000;0} (p {x.P:0.###})"))),
            });
        }
        return rows;
    }

    /// <summary>The headline comparisons <see cref="RecordLevel"/> tests: System A as `icd predict` runs it, and with the paper's pooled vote, against tfidf-lr.</summary>
    public static readonly (string System, string Peer)[] HeadlineComparisons = [("system_a_tuned", "tfidf-lr"), ("system_a", "tfidf-lr")];

    /// <summary>
    /// The headline comparisons pooled over seeds at the level of the test records: for each record, Lv et al. Eq. 4
    /// (acc_f1) of the system averaged over the seeds minus the peer's (also averaged), then approximate randomization
    /// and a bootstrap CI over the records. The records are the independent units here, so unlike Stouffer's
    /// combination of per-seed tests (which share the records) the p-value is valid for a shared test set; the seeds'
    /// randomness is averaged into each record's score. Reads each run's predictions/&lt;system&gt;.json and
    /// predictions/baselines/&lt;peer&gt;.json; runs without them are left out (the note lists the runs used).
    /// </summary>
    public static List<ResultRow> RecordLevel(IReadOnlyList<StudyRun> runs, IReadOnlyList<CodeAssignment> gold, int seed = 42)
    {
        var rows = new List<ResultRow>();
        if (gold.Count == 0) return rows;
        // Per-record Eq. 4 of one predictions file, read once (the peer's file serves both comparisons).
        var scored = new Dictionary<string, double[]?>(StringComparer.Ordinal);
        double[]? Scores(string path)
        {
            if (scored.TryGetValue(path, out var s)) return s;
            if (!File.Exists(path)) return scored[path] = null;
            var byId = SubmissionFormat.Read(path).ToDictionary(x => x.Id);
            return scored[path] = gold.Select(g => Ccl25Metrics.ScoreRecord(g, byId.GetValueOrDefault(g.Id)).AccF1).ToArray();
        }
        foreach (var (system, peer) in HeadlineComparisons)
        {
            var used = new List<string>();
            var ours = new double[gold.Count];
            var theirs = new double[gold.Count];
            foreach (var run in runs)
            {
                if (Scores(Path.Combine(run.ResultsDir, "predictions", $"{system}.json")) is not { } a
                    || Scores(Path.Combine(run.ResultsDir, "predictions", "baselines", $"{peer}.json")) is not { } b) continue;
                for (var i = 0; i < gold.Count; i++) (ours[i], theirs[i]) = (ours[i] + a[i], theirs[i] + b[i]);
                used.Add(run.Label);
            }
            if (used.Count == 0) continue;
            var cmp = PairedTest.ApproximateRandomization(theirs.Select(x => x / used.Count).ToList(), ours.Select(x => x / used.Count).ToList(), seed);
            rows.Add(new ResultRow
            {
                Experiment = "study_delta", Arm = $"{system}-vs-{peer} (records)", Split = "test", N = cmp.N, Metric = "acc_f1_delta",
                Value = cmp.Delta, CiLow = cmp.CiLow, CiHigh = cmp.CiHigh, PValue = cmp.PValue,
                Note = F($"headline at the record level (no paper claim): per test record, acc_f1 averaged over k = {used.Count} runs ({string.Join(", ", used)}), {system} {cmp.MeanB:0.0000} − {peer} {cmp.MeanA:0.0000}; CI: bootstrap over the {cmp.N} records; p: {cmp.Method} over the records (valid with the seeds' shared test set)"),
            });
        }
        return rows;
    }

    /// <summary>
    /// The number of runs k and the run-to-run SD behind a pooled row of <see cref="Arms"/> or <see cref="Deltas"/>
    /// (study.csv, study_deltas.csv): k from its note, the SD recovered exactly from the t CI over runs
    /// (half-width = t(0.975, k − 1)·SD/√k). SD is NaN for one run or a row that is not pooled.
    /// </summary>
    public static (int Runs, double Sd) Spread(ResultRow pooled)
    {
        var k = Runs().Match(pooled.Note ?? "");
        var n = k.Success ? int.Parse(k.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
        if (n < 2 || double.IsNaN(pooled.CiLow) || double.IsNaN(pooled.CiHigh)) return (n, double.NaN);
        return (n, (pooled.CiHigh - pooled.CiLow) / 2 * Math.Sqrt(n) / SeedStatistics.TQuantile975(n - 1));
    }

    /// <summary>How many runs of a pooled delta (study_deltas.csv) had the paper's sign, of how many; null when the paper makes no claim.</summary>
    public static (int WithPaperSign, int Runs)? PaperSignShare(ResultRow delta) =>
        delta.Note is not null && SignShare().Match(delta.Note) is { Success: true } m
            ? (int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture))
            : null;

    [GeneratedRegex(@"k = (\d+) runs")]
    private static partial Regex Runs();

    [GeneratedRegex(@"(\d+)/(\d+) runs with the paper's sign")]
    private static partial Regex SignShare();

    static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
