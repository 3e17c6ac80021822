using IcdResearch.Progress;
using System.Diagnostics;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using IcdResearch.Data;
using IcdResearch.Evaluation;
using IcdResearch.Inference;
using IcdResearch.Tuning;

namespace IcdResearch.Pipelines.CodeCentric;

/// <summary>
/// The Code-Centric Learning experiment (Zhang et al., "From Documents to Spans"): builds the span pairs (§3.3),
/// trains the ablation arms of Table 3 on document- and span-level examples (§3.2), and writes
/// results/ccl_ablation.csv (Table 3), ccl_unseen.csv (Figure 3), ccl_efficiency.csv (Table 2), ccl_evidence.csv
/// (Table 4, + human evidence), ccl_ood.csv (CHIP-CDN dev), ccl_pairs.csv (pair counts, mining report) and the
/// versioned pair files ccl_silver_pairs.v1.jsonl / ccl_span_pairs.v1.jsonl.
/// </summary>
public static class CodeCentricExperiment
{
    public const string SilverPairsFile = "ccl_silver_pairs.v1.jsonl";
    public const string SpanPairsFile = "ccl_span_pairs.v1.jsonl";
    public const string ModelSilverPairsFile = "ccl_silver_pairs_model.v1.jsonl";

    /// <summary>What a run produced: the rows written (by file name) and one line per step for the console.</summary>
    public sealed record Summary(IReadOnlyDictionary<string, IReadOnlyList<ResultRow>> Files, IReadOnlyList<string> Log);

    /// <summary>
    /// The whole experiment from a data folder (`icd ccl`, `icd reproduce --experiment ccl`): loads the data on the
    /// shared split, fine-tunes the arms on the backbone of <paramref name="options"/> and writes results/ccl_*.csv.
    /// </summary>
    public static Summary Run(CodeCentricOptions options, IModelBackend models, string? dataDir = null, Action<string>? log = null)
    {
        var data = CodeCentricData.Load(options, dataDir, log);
        return Run(data, models, options, log: log);
    }

    /// <summary>For `icd reproduce --experiment ccl`: the dataset and split it already holds.</summary>
    public static Summary Run(CodeCentricOptions options, IModelBackend models, Ccl25Dataset dataset, DataSplit split, string? dataDir = null, Action<string>? log = null)
    {
        var data = CodeCentricData.Load(options, dataset, split, dataDir, log);
        return Run(data, models, options, log: log);
    }

    /// <summary>
    /// Runs every arm on <paramref name="data"/>: the backbone (<see cref="CodeCentricOptions.Backbone"/>) zero-shot,
    /// and per trained arm a fine-tune of it through the one fine-tuner (<see cref="IModelBackend.FineTune"/>, reused
    /// when finished on the same data and options) into RunsDir/&lt;arm&gt;; writes results/ccl_*.csv. On a served backend
    /// (<see cref="OpenAiModelBackend"/>) nothing is trained: each arm is the model served under its name
    /// (<see cref="CodeCentricArm.ModelNames"/>), and ccl_efficiency.csv has no rows for it.
    /// </summary>
    public static Summary Run(CodeCentricData data, IModelBackend models, CodeCentricOptions options, string split = "test", Action<string>? log = null)
    {
        var backbone = options.Backbone ?? throw new ArgumentException("CodeCentricOptions.Backbone: no backbone folder given");
        var lines = new List<string>();
        void Log(string s) { lines.Add(s); log?.Invoke(s); }
        Directory.CreateDirectory(options.ResultsDir);
        Directory.CreateDirectory(options.RunsDir);

        var files = new Dictionary<string, IReadOnlyList<ResultRow>> { ["ccl_pairs.csv"] = WritePairs(data, options) };
        Log($"pairs: {data.GoldTabular.Count} tabular, {data.GoldIndex.Count} index, {data.Silver.Count} silver, {data.Synthetic.Count} synthetic; " +
            $"mining {data.MiningReport.Found}/{data.MiningReport.Attempts} found, {data.MiningReport.NoEvidence} no evidence, {data.MiningReport.NonVerbatim} non-verbatim; " +
            $"withheld from the training documents (Figure 3): {(data.Withheld.Count == 0 ? "none" : string.Join(" ", data.Withheld))}");

        if (options.MineWithModel) files["ccl_pairs.csv"] = [.. files["ccl_pairs.csv"], .. CompareModelMiner(data, models.Generator(backbone), options, Log)];
        var eval = new CodeCentricEvaluation(data, options);
        int n = data.Test.Count;
        var ablation = new List<ResultRow>();
        var unseen = new List<ResultRow>();
        var evidence = new List<ResultRow>();
        var ood = new List<ResultRow>();
        var efficiency = new List<ResultRow>();
        CodeCentricEvaluation.Outputs? previous = null;
        string? previousArm = null;
        var oodSpans = data.Ood.Select(o => o.Text).ToList();

        var arms = options.TrainSpanOnly ? CodeCentricArm.Ablation.Append(CodeCentricArm.SpanOnlyArm) : CodeCentricArm.Ablation;
        var costs = new Dictionary<string, TrainingCost>();
        var outputsByArm = new Dictionary<string, CodeCentricEvaluation.Outputs>();
        var armList = arms.ToList();
        WorkProgress.Run("Code-Centric Learning arms", armList.Count, "arms", armsProgress =>
        {
            foreach (var arm in armList)
            {
                armsProgress.Report(armList.IndexOf(arm), arm.Name);
                var sw = Stopwatch.StartNew();
                IAnswerGenerator model;
                if (!arm.Trained) model = models.Generator(backbone);
                else
                {
                    var runDir = Path.Combine(options.RunsDir, arm.Name);
                    var cost = models.FineTune(arm.Name, backbone, runDir, Examples(data, arm, options.Seed), [], FineTuneOptions(options), force: false);
                    model = models.Generator(runDir);
                    costs[arm.Name] = cost;
                    efficiency.AddRange(CostRows(arm, cost));
                }

                // Out-of-domain CHIP-CDN mentions (every arm, including span-only).
                var oodPred = eval.Spans(model, oodSpans);
                var oodHits = data.Ood.Select((o, i) => oodPred[i] == o.Code ? 1.0 : 0.0).ToList();
                var (ol, oh) = Bootstrap.MeanCi(oodHits, options.Seed, options.Resamples);
                ood.Add(Row("ccl_ood", arm.Name, "chip-cdn-dev", oodHits.Count, "accuracy", oodHits.Count == 0 ? double.NaN : oodHits.Average(), ol, oh,
                    "mentions whose text never occurs in a training pair"));
                if (arm.SpanOnly) { Log($"{arm.Name}: ood acc {Fmt(ood[^1].Value)} ({sw.Elapsed.TotalSeconds:F0}s)"); continue; }

                var outputs = eval.Documents(model, arm.AsksForEvidence);
                SaveOutputs(Path.Combine(options.RunsDir, arm.Name, "test_generations.jsonl"), data, outputs);
                var m = eval.Metrics(outputs);
                ablation.AddRange(MetricRows(arm.Name, outputs, previous,
                    $"Table 3 line {arm.Line}: {arm.Description}" + (previousArm is null ? "" : $"; p vs {previousArm} (paired bootstrap)")));
                unseen.AddRange(UnseenRows(arm, eval.Unseen(outputs), options));
                if (arm.AsksForEvidence && arm.Trained) evidence.AddRange(EvidenceRows(arm.Name, eval, outputs, n, options));
                Log($"{arm.Name}: micro-F1 {Fmt(m.MicroF1)} macro-F1 {Fmt(m.MacroF1)} P {Fmt(m.MicroPrecision)} R {Fmt(m.MicroRecall)}; ood acc {Fmt(ood[^1].Value)} ({sw.Elapsed.TotalSeconds:F0}s)");

                if (arm.Line == CodeCentricArm.Ablation[^1].Line)
                {
                    var human = eval.Documents(model, withEvidence: true, humanEvidence: true);
                    SaveOutputs(Path.Combine(options.RunsDir, arm.Name, "test_generations_human_evidence.jsonl"), data, human);
                    ablation.AddRange(MetricRows("human_evidence", human, outputs,
                        $"ORACLE, not a system: line {arm.Line} model given the reference evidence, which is aligned with the gold codes' names; p vs {arm.Name}"));
                    Log($"human_evidence: micro-F1 {Fmt(eval.Metrics(human).MicroF1)}");
                }
                previous = outputs;
                previousArm = arm.Name;
                outputsByArm[arm.Name] = outputs;
                WriteAll(); // after every arm, so an interrupted run keeps the finished lines
            }
            armsProgress.Report(armList.Count);
        });

        if (options.EqualStepsArms && costs.TryGetValue("doc_codes", out var line2) && outputsByArm.TryGetValue("doc_evidence", out var line3))
            foreach (var arm in CodeCentricArm.Ablation.Where(a => EqualSteps.Lines.Contains(a.Line)))
            {
                // Line 2's optimizer steps × batch size examples, as one pass over a schedule of this arm's examples.
                var sw = Stopwatch.StartNew();
                var name = EqualSteps.ArmName(arm);
                // Steps not recorded (a served arm, an old cost file): the fine-tuner's count, one step per started batch per epoch.
                var batch = options.FineTune.Train.BatchSize;
                var steps = line2.OptimizerSteps > 0 ? line2.OptimizerSteps : (line2.Examples + batch - 1) / batch * line2.Epochs;
                var budget = steps * batch;
                var schedule = EqualSteps.Schedule(Examples(data, arm, options.Seed), budget, options.Seed);
                var runDir = Path.Combine(options.RunsDir, name);
                var cost = models.FineTune(name, backbone, runDir, schedule, [], FineTuneOptions(options) with { Epochs = 1 }, force: false);
                var model = models.Generator(runDir);
                costs[name] = cost;
                efficiency.AddRange(CostRows(arm with { Name = name }, cost));
                var outputs = eval.Documents(model, arm.AsksForEvidence);
                SaveOutputs(Path.Combine(options.RunsDir, name, "test_generations.jsonl"), data, outputs);
                ablation.AddRange(MetricRows(name, outputs, line3,
                    $"Table 3 line {arm.Line} with line 2's optimizer steps ({schedule.Count} examples in one pass, batch {options.FineTune.Train.BatchSize}; line 2: {line2.Examples} examples × {line2.Epochs} epochs); p vs doc_evidence (line 3, same steps)"));
                Log($"{name}: micro-F1 {Fmt(eval.Metrics(outputs).MicroF1)} ({sw.Elapsed.TotalSeconds:F0}s)");
                WriteAll();
            }

        if (!options.TrainSpanOnly && costs.TryGetValue("doc_evidence", out var doc) && costs.TryGetValue("silver_synthetic", out var mixed) && Measured(doc) && Measured(mixed))
            efficiency.AddRange(CostRows(CodeCentricArm.SpanOnlyArm with { Name = "span_level_derived" },
                new TrainingCost(mixed.Examples - doc.Examples, mixed.TokensPerEpoch - doc.TokensPerEpoch, mixed.SecondsPerEpoch - doc.SecondsPerEpoch, mixed.Epochs, double.NaN)));
        WriteAll();
        return new Summary(files, lines);

        // One row per metric with its corpus-bootstrap CI and, against a reference arm's outputs, the paired p-value.
        List<ResultRow> MetricRows(string armName, CodeCentricEvaluation.Outputs outputs, CodeCentricEvaluation.Outputs? against, string note)
        {
            var named = eval.Metrics(outputs).Named().ToList();
            return WorkProgress.Run($"{armName}: bootstrap CIs ({options.Resamples:N0} resamples)", named.Count, "metrics", progress =>
            {
                var rows = new List<ResultRow>();
                foreach (var (metric, value) in named)
                {
                    Func<IReadOnlyList<int>, double> stat = idx => eval.Metrics(outputs, idx).Named().First(x => x.Metric == metric).Value;
                    var (lo, hi) = CorpusBootstrap.Ci(n, stat, options.Seed, options.Resamples);
                    double? p = against is null ? null
                        : CorpusBootstrap.PairedP(n, idx => eval.Metrics(against, idx).Named().First(x => x.Metric == metric).Value, stat, options.Seed, options.Resamples);
                    rows.Add(Row("ccl_ablation", armName, split, n, metric, value, lo, hi, note, p));
                    progress.Advance(figure: metric);
                }
                return rows;
            });
        }

        void WriteAll()
        {
            files["ccl_ablation.csv"] = ablation.ToList();
            files["ccl_unseen.csv"] = unseen.ToList();
            files["ccl_evidence.csv"] = evidence.ToList();
            files["ccl_ood.csv"] = ood.ToList();
            files["ccl_efficiency.csv"] = efficiency.ToList();
            foreach (var (name, rows) in files) ResultsTable.Write(Path.Combine(options.ResultsDir, name), rows);
        }
    }

    /// <summary>The (prompt, answer) examples an arm trains on (§3.2): document level and/or span level, shuffled with the seed.</summary>
    public static List<(string Prompt, string Answer)> Examples(CodeCentricData data, CodeCentricArm arm, int seed)
    {
        var examples = new List<(string Prompt, string Answer)>();
        if (arm.DocumentLevel) examples.AddRange(CodeCentricSftData.Documents(data.Train, arm.DocumentEvidence, data.Names));
        if (arm.GoldSpans) examples.AddRange(CodeCentricSftData.Spans(data.GoldTabular.Concat(data.GoldIndex), data.Names));
        if (arm.SilverSyntheticSpans) examples.AddRange(CodeCentricSftData.Spans(data.Silver.Concat(data.Synthetic), data.Names));
        var rng = new Random(seed);
        return examples.Select(e => (e, k: rng.Next())).OrderBy(t => t.k).Select(t => t.e).ToList();
    }

    /// <summary>Writes the versioned pair files and results/ccl_pairs.csv (pair counts, mining report); needs no model.</summary>
    public static List<ResultRow> WritePairs(CodeCentricData data, CodeCentricOptions options)
    {
        CodeCentric.SpanPairsFile.Write(Path.Combine(options.ResultsDir, SilverPairsFile), data.Silver);
        CodeCentric.SpanPairsFile.Write(Path.Combine(options.ResultsDir, SpanPairsFile), data.AllPairs);
        var rows = PairRows(data);
        ResultsTable.Write(Path.Combine(options.ResultsDir, "ccl_pairs.csv"), rows);
        return rows;
    }

    /// <summary>
    /// Zhang et al. Eq. 6 with the backbone itself (constrained to verbatim spans) next to the deterministic aligner: how often the
    /// model finds a span and how often it agrees with the aligner. Its consolidated pairs are kept for inspection
    /// (results/ccl_silver_pairs_model.v1.jsonl); training uses the aligner's pairs when the model cannot mine usefully.
    /// </summary>
    /// <summary>The fine-tuning options of every trained arm: the profile's, under the run's seed.</summary>
    static SftOptions FineTuneOptions(CodeCentricOptions options) => options.FineTune with { Train = options.FineTune.Train with { Seed = options.Seed } };

    static List<ResultRow> CompareModelMiner(CodeCentricData data, IAnswerGenerator backbone, CodeCentricOptions options, Action<string> log)
    {
        var docs = data.Train.Take(options.ModelMinerDocuments > 0 ? options.ModelMinerDocuments : data.Train.Count)
            .Select(c => new SilverPairMiner.Document(c.Id, c.Document, c.Codes)).ToList();
        var (mined, report) = new ModelSpanMiner(backbone).ExtractAll(docs, data.Names);
        CodeCentric.SpanPairsFile.Write(Path.Combine(options.ResultsDir, ModelSilverPairsFile), new SilverPairMiner(new AlignmentSpanExtractor(), options.SilverPerCode).Consolidate(mined));
        var ids = docs.Select(d => d.Id).ToHashSet();
        var aligned = data.Mined.Where(m => ids.Contains(m.DocumentId)).ToDictionary(m => (m.DocumentId, m.Code), m => m.Span);
        int exact = mined.Count(m => aligned.TryGetValue((m.DocumentId, m.Code), out var a) && a == m.Span);
        int overlap = mined.Count(m => aligned.TryGetValue((m.DocumentId, m.Code), out var a) && (a.Contains(m.Span) || m.Span.Contains(a)));
        int n = report.Attempts;
        log($"model miner (backbone, Eq. 6): {report.Found}/{n} spans, {exact} equal to the aligner's, {overlap} overlapping");
        string note = $"backbone answering the Eq. 6 prompt on {docs.Count} training documents, decoding restricted to document substrings";
        return
        [
            Row("ccl_pairs", "mining_model", "train", n, "found_rate", n == 0 ? 0 : (double)report.Found / n, note: note),
            Row("ccl_pairs", "mining_model", "train", n, "agreement_exact", n == 0 ? 0 : (double)exact / n, note: "share of (document, code) where model span == aligner span"),
            Row("ccl_pairs", "mining_model", "train", n, "agreement_overlap", n == 0 ? 0 : (double)overlap / n, note: "share where one span contains the other"),
        ];
    }

    static List<ResultRow> PairRows(CodeCentricData data)
    {
        var r = data.MiningReport;
        var rows = new List<ResultRow>
        {
            Row("ccl_pairs", "gold_tabular", "train", data.GoldTabular.Count, "pairs", data.GoldTabular.Count, note: "DCCNCE names of the code space and its subcategory neighbours"),
            Row("ccl_pairs", "gold_index", "train", data.GoldIndex.Count, "pairs", data.GoldIndex.Count, note: "CHIP-CDN train mentions with one in-scope standard term"),
            Row("ccl_pairs", "silver", "train", data.Silver.Count, "pairs", data.Silver.Count, note: "Eq. 6-7, alignment miner, consolidated per code"),
            Row("ccl_pairs", "synthetic", "train", data.Synthetic.Count, "pairs", data.Synthetic.Count, note: "Eq. 8, nearest-code edit transfer"),
            Row("ccl_pairs", "mining_alignment", "train", r.Attempts, "found_rate", r.Attempts == 0 ? 0 : (double)r.Found / r.Attempts, note: $"{r.Found} spans, {r.NoEvidence} no evidence, {r.NonVerbatim} non-verbatim rejected, {r.Documents} documents"),
            Row("ccl_pairs", "codes", "train", data.CodeSpace.Count, "codes_with_silver", data.Silver.Select(p => p.Code).Distinct().Count()),
            Row("ccl_pairs", "codes", "train", data.CodeSpace.Count, "codes_with_synthetic", data.Synthetic.Select(p => p.Code).Distinct().Count()),
            Row("ccl_pairs", "documents", "train+test", data.Train.Count + data.Test.Count, "truncated_documents", data.TruncatedDocuments),
            Row("ccl_pairs", "reference_evidence", "test", data.Test.Count, "codes_without_evidence_rate",
                data.Test.Sum(c => c.Codes.Count) == 0 ? 0 : (double)data.Test.Sum(c => c.CodesWithoutEvidence.Count) / data.Test.Sum(c => c.Codes.Count)),
            Row("ccl_pairs", "withheld", "train", data.Withheld.Count, "withheld_codes", data.Withheld.Count,
                note: "Figure 3: codes removed from the training documents' targets: " + string.Join(" ", data.Withheld)),
        };
        return rows;
    }

    /// <summary>Whether the arm was trained here: a served arm (<see cref="OpenAiModelBackend.FineTune"/>) was trained elsewhere and has no measured cost (NaN seconds).</summary>
    static bool Measured(TrainingCost c) => !double.IsNaN(c.SecondsPerEpoch);

    /// <summary>The arm's Table 2 rows; none for an arm not trained here (its cost is unknown, not zero).</summary>
    static IEnumerable<ResultRow> CostRows(CodeCentricArm arm, TrainingCost c)
    {
        if (!Measured(c)) yield break;
        string level = arm.SpanOnly ? "span_level" : arm.GoldSpans ? "mixed" : "document_level";
        string note = arm.Name == "span_level_derived"
            ? "span-level share of the silver_synthetic arm: its cost minus the doc_evidence arm's (same documents)"
            : $"{arm.Name}: {c.Epochs} epochs, final loss {c.FinalLoss:F3}";
        yield return Row("ccl_efficiency", arm.Name, level, c.Examples, "tokens_per_epoch", c.TokensPerEpoch, note: note);
        yield return Row("ccl_efficiency", arm.Name, level, c.Examples, "seconds_per_epoch", c.SecondsPerEpoch, note: note);
        yield return Row("ccl_efficiency", arm.Name, level, c.Examples, "tokens_per_example", c.Examples == 0 ? 0 : (double)c.TokensPerEpoch / c.Examples, note: note);
        yield return Row("ccl_efficiency", arm.Name, level, c.Examples, "seconds_total", c.SecondsTotal, note: note + "; single measurement, machine load varies");
        if (c.OptimizerSteps > 0) yield return Row("ccl_efficiency", arm.Name, level, c.Examples, "optimizer_steps", c.OptimizerSteps, note: note);
    }

    static IEnumerable<ResultRow> UnseenRows(CodeCentricArm arm, IReadOnlyList<(string Code, string Source, bool Hit)> unseen, CodeCentricOptions options)
    {
        var groups = new[] { ("all", unseen) }.Concat(unseen.GroupBy(u => u.Source).OrderBy(g => g.Key).Select(g => (g.Key, (IReadOnlyList<(string, string, bool)>)g.ToList())));
        foreach (var (source, items) in groups)
        {
            var hits = items.Select(u => u.Item3 ? 1.0 : 0.0).ToList();
            var (lo, hi) = Bootstrap.MeanCi(hits, options.Seed, options.Resamples);
            yield return Row("ccl_unseen", arm.Name, "test", hits.Count, $"recall_unseen_{source}", hits.Count == 0 ? double.NaN : hits.Average(), lo, hi,
                $"codes absent from the document-level training data ({items.Select(u => u.Item1).Distinct().Count()} codes); source = strongest span evidence");
        }
    }

    static IEnumerable<ResultRow> EvidenceRows(string arm, CodeCentricEvaluation eval, CodeCentricEvaluation.Outputs outputs, int n, CodeCentricOptions options)
    {
        foreach (var relaxed in new[] { false, true })
        {
            var s = eval.Evidence(outputs, null, relaxed);
            string kind = relaxed ? "relaxed" : "exact";
            foreach (var (metric, value, pick) in new (string, double, Func<EvidenceMetrics.Score, double>)[]
                     { ("precision", s.Precision, x => x.Precision), ("recall", s.Recall, x => x.Recall), ("f1", s.F1, x => x.F1) })
            {
                var (lo, hi) = CorpusBootstrap.Ci(n, idx => pick(eval.Evidence(outputs, idx, relaxed)), options.Seed, options.Resamples);
                yield return Row("ccl_evidence", arm, "test", n, $"evidence_{metric}_{kind}", value, lo, hi,
                    $"vs reference evidence (aligned spans); {s.Generated} generated, {s.Reference} reference spans");
            }
        }
    }

    static void SaveOutputs(string path, CodeCentricData data, CodeCentricEvaluation.Outputs outputs)
    {
        var options = new JsonSerializerOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
        IO.AtomicFile.WriteText(path, w =>
        {
            for (int i = 0; i < data.Test.Count; i++)
                w.Write(JsonSerializer.Serialize(new { id = data.Test[i].Id, gold = data.Test[i].Codes, reference_evidence = data.Test[i].Evidence,
                    output = outputs.Raw[i], codes = outputs.Parsed[i].Codes, evidence = outputs.Parsed[i].Evidence, rejected = outputs.Parsed[i].Rejected }, options) + "\n");
        });
    }

    static ResultRow Row(string experiment, string arm, string split, int n, string metric, double value, double lo = double.NaN, double hi = double.NaN,
        string? note = null, double? p = null) =>
        new() { Experiment = experiment, Arm = arm, Split = split, N = n, Metric = metric, Value = value, CiLow = lo, CiHigh = hi, PValue = p, Note = note };

    static string Fmt(double v) => double.IsNaN(v) ? "n/a" : v.ToString("F3");
}
