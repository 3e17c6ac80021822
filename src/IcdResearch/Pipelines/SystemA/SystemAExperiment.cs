using System.Diagnostics;
using System.Text.Json;
using IcdResearch.Data;
using IcdResearch.Evaluation;
using IcdResearch.Ner;
using IcdResearch.Retrieval;

namespace IcdResearch.Pipelines.SystemA;

/// <summary>The inputs of one System A reproduction: data, the split's ids, folders and the profile.</summary>
public sealed record SystemARun
{
    public required Ccl25Dataset Data { get; init; }
    public required IReadOnlyList<string> TrainIds { get; init; }
    public required IReadOnlyList<string> DevIds { get; init; }
    public required IReadOnlyList<string> TestIds { get; init; }
    /// <summary>CHIP-CDN pairs for the NER lexicon (empty when the data folder has none, e.g. the synthetic sample).</summary>
    public IReadOnlyList<ChipCdnPair> ChipCdn { get; init; } = [];
    public required string ModelsDir { get; init; }
    public required string OutDir { get; init; }
    public required SystemAProfile Profile { get; init; }
    public bool Force { get; init; }
    public int Seed { get; init; } = 42;
    /// <summary>
    /// Peer predictions on the test records (e.g. the baselines), compared per record with System A in overall.csv;
    /// read when the overall table is written (so a baseline run in parallel can still be included).
    /// </summary>
    public Func<IReadOnlyDictionary<string, IReadOnlyList<CodeAssignment>>> PeerPredictions { get; init; } = () => new Dictionary<string, IReadOnlyList<CodeAssignment>>();
    /// <summary>Where progress lines go (stderr by default).</summary>
    public TextWriter Log { get; init; } = Console.Error;
}

/// <summary>
/// `icd reproduce --experiment system-a`: from a pretrained (or freshly pretrained) backbone to every System A number of
/// the system paper's §4 — trains the five models (primary, re-judge, other-direct, other-NER, NER), compares the two
/// retrieval embeddings, runs the primary arms with the threshold sweep (Figure 4), zero-shot vs fine-tuned NER and the
/// other-diagnosis score each yields (Figure 5), the other-diagnosis voting rows (Table 2) and the overall score
/// (Table 3), and writes results/primary.csv, primary_cases.csv, ner.csv, other.csv, overall.csv, predictions/*.json and
/// the system-a part of summary.json. Trained models are reused unless <see cref="SystemARun.Force"/>.
/// </summary>
public sealed class SystemAExperiment(ISystemABackend backend, SystemARun run)
{
    readonly Dictionary<string, double> _seconds = [];
    readonly Stopwatch _total = Stopwatch.StartNew();

    static readonly string[] ModelNames = ["primary", "rejudge", "other_direct", "other_ner", "ner"];

    public SystemASummary Run()
    {
        var p = run.Profile;
        p.ClinicalInfo.Validate();
        Directory.CreateDirectory(run.OutDir);
        var data = run.Data;

        // --- cases and candidates -------------------------------------------------------------------------------
        var train = Cases(run.TrainIds);
        var dev = Cases(run.DevIds);
        var test = Cases(run.TestIds);
        Say($"System A ({p.Name}): {train.Count} train / {dev.Count} dev / {test.Count} test records ({data.Source})");
        var primaryCandidates = new DiseaseCandidates(data.PrimaryCodes, data.Codes.NameOf);
        var otherCandidates = new DiseaseCandidates(data.OtherCodes, data.Codes.NameOf) { ListedInPrompt = p.ListOtherCandidates };

        // --- backbone ---------------------------------------------------------------------------------------------
        var backbone = Path.Combine(run.ModelsDir, "backbone");
        Time("pretrain", () => backend.EnsureBackbone(backbone, run.Force));

        // --- retrieval database: TF-IDF vs hidden states (§3.1, Eq. 1) -------------------------------------------
        // The database holds the training records that have a real 入院诊断 (raw text); entity-only records only if none do.
        var databaseCases = train.Any(c => c.HasRawText) ? train.Where(c => c.HasRawText).ToList() : train;
        var database = databaseCases.Select(c => new DatabaseEntry(c.Id, c.AdmissionText, c.ClinicalInfo, c.Labels!.PrimaryCode)).ToList();
        var retrievalRows = new List<ResultRow>();
        var indexes = new Dictionary<string, AdmissionDiagnosisIndex>();
        Time("retrieval", () =>
        {
            var dbTuples = database.Select(e => (e.Id, e.AdmissionText, e.PrimaryCode)).ToList();
            indexes["tfidf"] = new AdmissionDiagnosisIndex(TfidfEmbedding.Fit(database.Select(e => e.AdmissionText)), dbTuples);
            indexes["hidden"] = new AdmissionDiagnosisIndex(backend.HiddenStateEmbedder(backbone), dbTuples);
            foreach (var (name, index) in indexes)
                foreach (var (split, cases) in new[] { ("dev", dev), ("test", test) })
                {
                    var hits = index.Nearest(cases.Select(c => c.AdmissionText).ToList());
                    var correct = cases.Select((c, i) => hits[i].PrimaryCode == c.Labels!.PrimaryCode ? 1.0 : 0.0).ToList();
                    retrievalRows.Add(ArmRows.Row("retrieval", $"nearest_{name}", split, "primary_accuracy", correct, null,
                        $"primary code of the most similar training 入院诊断 ({name} embedding)", run.Seed));
                }
        });
        var devAcc = retrievalRows.Where(r => r.Split == "dev").ToDictionary(r => r.Arm, r => r.Value);
        var embedding = devAcc.GetValueOrDefault("nearest_hidden", -1) > devAcc.GetValueOrDefault("nearest_tfidf", -1) ? "hidden" : "tfidf";
        var chosen = indexes[embedding];
        Say($"retrieval embedding for the arms: {embedding} (dev neighbour accuracy tfidf {devAcc.GetValueOrDefault("nearest_tfidf"):0.000}, hidden {devAcc.GetValueOrDefault("nearest_hidden"):0.000})");

        // --- NER silver data (§3.2) --------------------------------------------------------------------------------
        var corpus = NerCorpus.Create(data.Codes, run.ChipCdn);
        var testAViews = data.TestAEntities.ToDictionary(e => e.Id);
        var testACases = data.TestARaw.Select(r => SystemACase.FromRaw(r, testAViews.GetValueOrDefault(r.Id), p.ClinicalInfo)).ToList();
        var nerTrain = Subsample(corpus.Segments(train.Concat(testACases).Where(c => c.HasRawText).Select(c => (c.ClinicalInfo, (IEnumerable<string>)c.ViewDiseases)), p.NerSegmentChars), p.MaxNerTrainSegments);
        var nerDev = Subsample(corpus.Segments(dev.Where(c => c.HasRawText).Select(c => (c.ClinicalInfo, (IEnumerable<string>)c.ViewDiseases)), p.NerSegmentChars), Math.Max(8, p.MaxNerTrainSegments / 10));
        IReadOnlyList<string> Silver(SystemACase c)
        {
            var text = BracketFormat.Escape(c.ClinicalInfo);
            return SystemASftData.EntityStrings(text, corpus.Annotate(text, c.ViewDiseases));
        }

        // --- fine-tuning the five models ----------------------------------------------------------------------------
        var trainHits = chosen.Nearest(train.Select(c => c.AdmissionText).ToList(), train.Select(c => (string?)c.Id).ToList());
        var devHits = chosen.Nearest(dev.Select(c => c.AdmissionText).ToList());
        var sets = new Dictionary<string, (List<(string, string)> Train, List<(string, string)> Dev)>
        {
            ["primary"] = (SystemASftData.Primary(train, primaryCandidates), SystemASftData.Primary(dev, primaryCandidates)),
            ["rejudge"] = (SystemASftData.Rejudge(train, trainHits.Select(h => databaseCases[h.Index]).ToList(), primaryCandidates, p.RejudgeWithoutExampleFraction, run.Seed),
                           SystemASftData.Rejudge(dev, devHits.Select(h => databaseCases[h.Index]).ToList(), primaryCandidates, p.RejudgeWithoutExampleFraction, run.Seed)),
            ["other_direct"] = (SystemASftData.Other(train, otherCandidates), SystemASftData.Other(dev, otherCandidates)),
            ["other_ner"] = (SystemASftData.Other(train, otherCandidates, Silver), SystemASftData.Other(dev, otherCandidates, Silver)),
            ["ner"] = (SystemASftData.Ner(nerTrain), SystemASftData.Ner(nerDev)),
        };
        foreach (var name in ModelNames)
        {
            Say($"fine-tuning {name}: {sets[name].Train.Count} train / {sets[name].Dev.Count} dev examples");
            Time($"finetune_{name}", () => backend.FineTune(name, backbone, Path.Combine(run.ModelsDir, name), sets[name].Train, sets[name].Dev, run.Force));
        }

        var config = new SystemAConfig
        {
            PrimaryCandidates = primaryCandidates.Codes.Select(c => new CandidateEntry(c, primaryCandidates.NameOf(c))).ToList(),
            OtherCandidates = otherCandidates.Codes.Select(c => new CandidateEntry(c, otherCandidates.NameOf(c))).ToList(),
            ClinicalInfo = p.ClinicalInfo,
            Models = ModelNames.Append("backbone").ToDictionary(n => n, n => n),
            RetrievalEmbedding = embedding,
            ListOtherCandidates = p.ListOtherCandidates,
            Database = database,
            SamplesPerModel = p.SamplesPerModel,
            EnsembleVoteThreshold = OtherAblation.PaperThreshold(2 * p.SamplesPerModel),
            NerSegmentChars = p.NerSegmentChars,
            Seed = run.Seed,
        };
        config.Save(run.ModelsDir);
        var pipeline = SystemAPipeline.Load(run.ModelsDir, backend, config);
        int tuned = config.EnsembleVoteThreshold;

        // --- primary arms (Figure 4) --------------------------------------------------------------------------------
        var primaryRows = new List<ResultRow>(retrievalRows);
        var caseRows = new List<string> { "id,arm,split,confidence,correct" };
        var outcomes = new Dictionary<string, List<PrimaryOutcome>>();
        Time("primary_arms", () =>
        {
            foreach (var (split, cases) in new[] { ("dev", dev), ("test", test) })
            {
                outcomes[split] = PrimaryOutcomes(pipeline, cases, p);
                primaryRows.AddRange(PrimaryAblation.Rows(outcomes[split], split, ConfidenceThreshold.Paper, p.ThresholdSweep, run.Seed));
                caseRows.AddRange(outcomes[split].Select(o => $"{o.Id},baseline,{split},{o.First.Confidence:R},{(o.First.Code == o.Gold).ToString().ToLowerInvariant()}"));
            }
        });
        ResultsTable.Write(Path.Combine(run.OutDir, "primary.csv"), primaryRows);
        File.WriteAllLines(Path.Combine(run.OutDir, "primary_cases.csv"), caseRows);

        // --- NER: zero-shot vs fine-tuned (Figure 5) -----------------------------------------------------------------
        var nerRows = new List<ResultRow>();
        var nerEval = test.Where(c => c.HasRawText).ToList();
        var entityVariants = new Dictionary<string, List<IReadOnlyList<string>>>();
        Time("ner", () =>
        {
            var texts = test.Select(c => BracketFormat.Escape(c.ClinicalInfo)).ToList();
            var gold = test.Select((c, i) => (IReadOnlyCollection<EntitySpan>)corpus.Annotate(texts[i], c.ViewDiseases)).ToList();
            var taggers = new Dictionary<string, NerTagger>
            {
                ["zero_shot"] = new(backend.Generator(backbone), p.NerSegmentChars),
                ["fine_tuned"] = pipeline.Ner,
            };
            var rawIdx = test.Select((c, i) => (c, i)).Where(t => t.c.HasRawText).Select(t => t.i).ToList();
            foreach (var (name, tagger) in taggers)
            {
                Say($"NER ({name}) on {test.Count} test texts");
                var spans = tagger.TagMany(texts);
                entityVariants[name] = texts.Select((t, i) => (IReadOnlyList<string>)SystemASftData.EntityStrings(t, spans[i])).ToList();
                nerRows.AddRange(NerRows(name, rawIdx.Select(i => gold[i]).ToList(), rawIdx.Select(i => (IReadOnlyCollection<EntitySpan>)spans[i]).ToList()));
            }
            entityVariants["silver"] = test.Select(Silver).ToList();
        });

        // --- other diagnoses: voting rows (Table 2) and per-NER-variant scores (Figure 5) ---------------------------
        var otherRows = new List<ResultRow>();
        var samples = new Dictionary<string, List<OtherSamples>>();
        Time("other", () =>
        {
            var devEntities = pipeline.Entities(dev);
            samples["dev"] = OtherSampleSet(pipeline, dev, devEntities.Cast<IReadOnlyList<string>>().ToList());
            samples["test"] = OtherSampleSet(pipeline, test, entityVariants["fine_tuned"]);
            tuned = OtherAblation.BestThreshold(samples["dev"]);
            (config with { TunedVoteThreshold = tuned }).Save(run.ModelsDir); // for `icd predict --vote tuned`
            foreach (var split in new[] { "dev", "test" }) otherRows.AddRange(OtherAblation.Rows(samples[split], split, tuned, run.Seed));
            var directF1 = OtherAblation.F1(samples["test"], OtherAblation.Direct);
            nerRows.Add(ArmRows.Row("ner", "none", "test", "other_f1", directF1, null, "direct model only (no NER input), majority vote", run.Seed));
            foreach (var variant in new[] { "zero_shot", "silver" })
            {
                Say($"other diagnoses with {variant} NER entities");
                var variantSamples = OtherSampleSet(pipeline, test, entityVariants[variant], samples["test"]);
                nerRows.Add(ArmRows.Row("ner", variant, "test", "other_f1",
                    OtherAblation.F1(variantSamples, s => OtherAblation.Ensemble(s, config.EnsembleVoteThreshold)), directF1,
                    $"ensemble (direct + NER-enhanced, > {config.EnsembleVoteThreshold}) with {variant} entities", run.Seed));
            }
            nerRows.Add(ArmRows.Row("ner", "fine_tuned", "test", "other_f1",
                OtherAblation.F1(samples["test"], s => OtherAblation.Ensemble(s, config.EnsembleVoteThreshold)), directF1,
                $"ensemble (direct + NER-enhanced, > {config.EnsembleVoteThreshold}) with fine_tuned entities", run.Seed));
        });
        ResultsTable.Write(Path.Combine(run.OutDir, "ner.csv"), nerRows);
        ResultsTable.Write(Path.Combine(run.OutDir, "other.csv"), otherRows);

        // --- overall (Table 3) and prediction files ----------------------------------------------------------------
        var gold = test.Select(c => c.Labels!).ToList();
        var predictions = new Dictionary<string, List<CodeAssignment>>();
        var testOutcomes = outcomes["test"];
        var testSamples = samples["test"];
        List<CodeAssignment> Combine(PrimaryArm arm, Func<OtherSamples, List<string>> other)
        {
            var decisions = PrimaryAblation.Decide(testOutcomes, arm, ConfidenceThreshold.Paper);
            return test.Select((c, i) => new CodeAssignment(c.Id, decisions[i].Code, other(testSamples[i]))).ToList();
        }
        predictions["sft_baseline"] = Combine(PrimaryArm.Baseline, OtherAblation.Direct);
        foreach (var arm in PrimaryArms.All)
            predictions[$"primary_{arm.Name()}+ensemble"] = Combine(arm, s => OtherAblation.Ensemble(s, config.EnsembleVoteThreshold));
        predictions["system_a"] = Combine(PrimaryArm.ConfidenceRetrieval, s => OtherAblation.Ensemble(s, config.EnsembleVoteThreshold));
        // What `icd predict` writes by default: the same pipeline with the ensemble's vote threshold chosen on dev.
        predictions["system_a_tuned"] = Combine(PrimaryArm.ConfidenceRetrieval, s => OtherAblation.Ensemble(s, tuned));
        var predDir = Path.Combine(run.OutDir, "predictions");
        Directory.CreateDirectory(predDir);
        foreach (var (name, preds) in predictions) SubmissionFormat.Write(Path.Combine(predDir, $"{name.Replace('+', '_')}.json"), preds);

        var overallRows = new List<ResultRow>();
        var scores = predictions.ToDictionary(kv => kv.Key, kv => gold.Select((g, i) => Ccl25Metrics.ScoreRecord(g, kv.Value[i])).ToList());
        var baseScores = scores["sft_baseline"];
        foreach (var (name, recs) in scores)
        {
            var vsBase = name == "sft_baseline" ? null : baseScores;
            overallRows.Add(ArmRows.Row("overall", name, "test", "acc_f1", recs.Select(r => r.AccF1).ToList(), vsBase?.Select(r => r.AccF1).ToList(), "Eq. 4: 0.5·I(primary) + 0.5·F1(other); p vs sft_baseline", run.Seed));
            overallRows.Add(ArmRows.Row("overall", name, "test", "acc_recall", recs.Select(r => r.AccRecall).ToList(), vsBase?.Select(r => r.AccRecall).ToList(), "organisers' formula; p vs sft_baseline", run.Seed));
            overallRows.Add(ArmRows.Row("overall", name, "test", "primary_accuracy", recs.Select(r => r.PrimaryCorrect ? 1.0 : 0.0).ToList(), null, null, run.Seed));
            overallRows.Add(ArmRows.Row("overall", name, "test", "other_f1", recs.Select(r => r.Other.F1).ToList(), null, null, run.Seed));
        }
        foreach (var (peer, peerPreds) in run.PeerPredictions())
        {
            var byId = peerPreds.ToDictionary(x => x.Id);
            var peerScores = gold.Select(g => Ccl25Metrics.ScoreRecord(g, byId.GetValueOrDefault(g.Id)).AccF1).ToList();
            foreach (var system in new[] { "system_a", "system_a_tuned" })
            {
                var ours = scores[system].Select(r => r.AccF1).ToList();
                var cmp = PairedTest.ApproximateRandomization(peerScores, ours, run.Seed);
                overallRows.Add(new ResultRow
                {
                    Experiment = "overall", Arm = $"{system}-vs-{peer}", Split = "test", N = cmp.N, Metric = "acc_f1_delta",
                    Value = cmp.Delta, CiLow = cmp.CiLow, CiHigh = cmp.CiHigh, PValue = cmp.PValue,
                    Note = $"acc_f1({system}) {cmp.MeanB:0.0000} - acc_f1({peer}) {cmp.MeanA:0.0000}; {cmp.Method}",
                });
            }
        }
        ResultsTable.Write(Path.Combine(run.OutDir, "overall.csv"), overallRows);

        _seconds["total"] = _total.Elapsed.TotalSeconds;
        return new SystemASummary
        {
            Profile = p.Name,
            DataSource = data.Source,
            Synthetic = data.IsSynthetic,
            NTrain = train.Count, NDev = dev.Count, NTest = test.Count,
            NTrainWithRawText = train.Count(c => c.HasRawText), NTestWithRawText = test.Count(c => c.HasRawText),
            NerTrainSegments = nerTrain.Count,
            ModelsDir = Path.GetFullPath(run.ModelsDir),
            Models = ModelNames.Append("backbone").ToDictionary(n => n, n => Path.GetFullPath(Path.Combine(run.ModelsDir, n))),
            RetrievalEmbedding = embedding,
            Headline = Headline(overallRows, primaryRows, nerRows, otherRows),
            Seconds = _seconds,
        };
    }

    List<SystemACase> Cases(IReadOnlyList<string> ids)
    {
        var cases = SystemACase.For(run.Data, ids, run.Profile.ClinicalInfo);
        return run.Profile.MaxRecordsPerSplit is { } max ? cases.Take(max).ToList() : cases;
    }

    /// <summary>A seeded random subset of at most <paramref name="max"/> segments (in their original order).</summary>
    List<NerSegment> Subsample(List<NerSegment> segments, int max)
    {
        if (segments.Count <= max) return segments;
        var keep = Enumerable.Range(0, segments.Count).ToArray();
        new Random(run.Seed).Shuffle(keep);
        return keep.Take(max).Order().Select(i => segments[i]).ToList();
    }

    /// <summary>First pass, retrieval and the re-judge answers every arm at every swept threshold may need.</summary>
    static List<PrimaryOutcome> PrimaryOutcomes(SystemAPipeline pipeline, IReadOnlyList<SystemACase> cases, SystemAProfile profile)
    {
        var infos = cases.Select(c => c.ClinicalInfo).ToList();
        var first = pipeline.Primary.FirstPass(infos);
        var hits = pipeline.Index.Nearest(cases.Select(c => c.AdmissionText).ToList());
        var maxThreshold = ConfidenceThreshold.Paper with { Threshold = Math.Max(1.0, profile.ThresholdSweep.DefaultIfEmpty(1.0).Max()) };
        var (with, without) = PrimaryAblation.Needed(first, hits.Select(h => h.PrimaryCode).ToList(), maxThreshold);
        var withAnswers = pipeline.Primary.Rejudge(with.Select(i => infos[i]).ToList(), with.Select(i => (RetrievedExample?)pipeline.Example(hits[i])).ToList());
        var withoutAnswers = pipeline.Primary.Rejudge(without.Select(i => infos[i]).ToList(), without.Select(_ => (RetrievedExample?)null).ToList());
        var withMap = with.Select((i, k) => (i, k)).ToDictionary(t => t.i, t => withAnswers[t.k]);
        var withoutMap = without.Select((i, k) => (i, k)).ToDictionary(t => t.i, t => withoutAnswers[t.k]);
        return cases.Select((c, i) => new PrimaryOutcome(c.Id, c.Labels!.PrimaryCode, first[i], hits[i].PrimaryCode,
            withMap.GetValueOrDefault(i), withoutMap.GetValueOrDefault(i))).ToList();
    }

    /// <summary>Direct and NER-enhanced samples per case; <paramref name="reuseDirect"/> shares the direct model's samples across NER variants.</summary>
    static List<OtherSamples> OtherSampleSet(SystemAPipeline pipeline, IReadOnlyList<SystemACase> cases, IReadOnlyList<IReadOnlyList<string>> entities,
        IReadOnlyList<OtherSamples>? reuseDirect = null)
        => cases.Select((c, i) => new OtherSamples(c.Id, c.Labels!.OtherSet,
            reuseDirect?[i].Direct ?? pipeline.OtherDirect.Sample(c.ClinicalInfo, null, i), pipeline.OtherNer.Sample(c.ClinicalInfo, entities[i], i))).ToList();

    List<ResultRow> NerRows(string arm, IReadOnlyList<IReadOnlyCollection<EntitySpan>> gold, IReadOnlyList<IReadOnlyCollection<EntitySpan>> predicted)
    {
        var m = EntityMetrics.Score(gold, predicted);
        var (pLow, pHigh, rLow, rHigh, fLow, fHigh) = NerCi(gold, predicted);
        var note = $"entity-level exact span match vs silver spans; gold {m.Gold}, predicted {m.Predicted}, correct {m.Correct}; CI: bootstrap over documents";
        return
        [
            new() { Experiment = "ner", Arm = arm, Split = "test", N = gold.Count, Metric = "ner_precision", Value = m.Precision, CiLow = pLow, CiHigh = pHigh, Note = note },
            new() { Experiment = "ner", Arm = arm, Split = "test", N = gold.Count, Metric = "ner_recall", Value = m.Recall, CiLow = rLow, CiHigh = rHigh, Note = note },
            new() { Experiment = "ner", Arm = arm, Split = "test", N = gold.Count, Metric = "ner_f1", Value = m.F1, CiLow = fLow, CiHigh = fHigh, Note = note },
        ];
    }

    /// <summary>Seeded percentile bootstrap over documents of the micro P/R/F1.</summary>
    (double, double, double, double, double, double) NerCi(IReadOnlyList<IReadOnlyCollection<EntitySpan>> gold, IReadOnlyList<IReadOnlyCollection<EntitySpan>> predicted)
    {
        if (gold.Count == 0) return (double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN);
        var rng = new Random(run.Seed);
        var ps = new List<double>(); var rs = new List<double>(); var fs = new List<double>();
        for (var b = 0; b < 2000; b++)
        {
            var idx = Enumerable.Range(0, gold.Count).Select(_ => rng.Next(gold.Count)).ToList();
            var m = EntityMetrics.Score(idx.Select(i => gold[i]).ToList(), idx.Select(i => predicted[i]).ToList());
            ps.Add(m.Precision); rs.Add(m.Recall); fs.Add(m.F1);
        }
        double Q(List<double> v, double q) { v.Sort(); return Bootstrap.Quantile(v, q); }
        return (Q(ps, 0.025), Q(ps, 0.975), Q(rs, 0.025), Q(rs, 0.975), Q(fs, 0.025), Q(fs, 0.975));
    }

    static Dictionary<string, double> Headline(List<ResultRow> overall, List<ResultRow> primary, List<ResultRow> ner, List<ResultRow> other)
    {
        var h = new Dictionary<string, double>();
        foreach (var r in overall.Where(r => r.Metric is "acc_f1" or "acc_recall")) h[$"overall.{r.Arm}.{r.Metric}"] = r.Value;
        foreach (var r in primary.Where(r => r.Split == "test" && r.Experiment is "primary" or "retrieval")) h[$"{r.Experiment}.{r.Arm}.{r.Metric}"] = r.Value;
        foreach (var r in ner) h[$"ner.{r.Arm}.{r.Metric}"] = r.Value;
        foreach (var r in other.Where(r => r.Split == "test" && r.Experiment == "other" && r.Metric == "other_f1")) h[$"other.{r.Arm}.other_f1"] = r.Value;
        return h;
    }

    void Time(string stage, Action action)
    {
        var sw = Stopwatch.StartNew();
        action();
        _seconds[stage] = sw.Elapsed.TotalSeconds;
        Say($"{stage} done in {sw.Elapsed.TotalSeconds:0.0} s");
    }

    void Say(string message) => run.Log.WriteLine($"[system-a {_total.Elapsed:hh\\:mm\\:ss}] {message}");
}

/// <summary>The system-a part of results/summary.json.</summary>
public sealed record SystemASummary
{
    public required string Profile { get; init; }
    public required string DataSource { get; init; }
    public bool Synthetic { get; init; }
    public int NTrain { get; init; }
    public int NDev { get; init; }
    public int NTest { get; init; }
    public int NTrainWithRawText { get; init; }
    public int NTestWithRawText { get; init; }
    public int NerTrainSegments { get; init; }
    public required string ModelsDir { get; init; }
    public required IReadOnlyDictionary<string, string> Models { get; init; }
    public required string RetrievalEmbedding { get; init; }
    public required IReadOnlyDictionary<string, double> Headline { get; init; }
    public required IReadOnlyDictionary<string, double> Seconds { get; init; }
}
