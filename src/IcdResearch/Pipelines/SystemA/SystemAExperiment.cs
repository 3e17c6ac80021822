using System.Diagnostics;
using System.Text.Json;
using IcdResearch.Data;
using IcdResearch.Evaluation;
using IcdResearch.Inference;
using IcdResearch.Ner;
using IcdResearch.Progress;
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
public sealed class SystemAExperiment(IModelBackend backend, SystemARun run)
{
    readonly Dictionary<string, double> _seconds = [];
    readonly Stopwatch _total = Stopwatch.StartNew();

    /// <summary>The five fine-tuned models, in training order.</summary>
    public static readonly string[] ModelNames = ["primary", "rejudge", "other_direct", "other_ner", "ner"];

    /// <summary>The models this run fine-tunes: the paper's five, plus the NER-enhanced model on Figure 3's prompt order when the profile asks for it.</summary>
    string[] TrainedModels => run.Profile.PaperOrderNerModel ? [.. ModelNames, SystemAPipeline.PaperOrderModel] : ModelNames;
    /// <summary>The timed stages (<see cref="Time"/>): pretrain, retrieval, each fine-tuning, primary arms, NER, other.</summary>
    int Stages => 5 + TrainedModels.Length;
    WorkProgress? _stages;

    /// <summary>Runs every stage under one progress step (stages done, ETA) and returns the summary.</summary>
    public SystemASummary Run() => WorkProgress.Run($"System A ({run.Profile.Name})", Stages, "stages", stages =>
    {
        _stages = stages;
        return RunStages();
    });

    /// <summary>The experiment as a chain of named steps; each step's rows are written as soon as it has them.</summary>
    SystemASummary RunStages()
    {
        run.Profile.ClinicalInfo.Validate();
        Directory.CreateDirectory(run.OutDir);
        var cases = LoadCases();
        var backbone = ModelLayout.Backbone(run.ModelsDir);
        Time("pretrain", () => backend.EnsureBackbone(backbone, run.Force));
        var retrieval = Time("retrieval", () => CompareRetrieval(cases, backbone));
        var ner = NerSilverData(cases);
        FineTuneModels(cases, retrieval, ner);
        var pipeline = SavePipeline(cases, retrieval);
        var primary = Time("primary_arms", () => PrimaryArmRows(pipeline, cases, retrieval));
        var entities = Time("ner", () => CompareNer(pipeline, cases, ner, backbone));
        var other = Time("other", () => OtherDiagnoses(pipeline, cases, entities));
        ResultsTable.Write(Path.Combine(run.OutDir, "ner.csv"), [.. entities.Rows, .. other.NerRows]);
        ResultsTable.Write(Path.Combine(run.OutDir, "other.csv"), other.Rows);
        var overallRows = Overall(pipeline, cases, primary, other);
        WriteTestInput(cases.Test);
        _seconds["total"] = _total.Elapsed.TotalSeconds;
        return Summary(cases, ner, retrieval, Headline(overallRows, primary.Rows, [.. entities.Rows, .. other.NerRows], other.Rows));
    }

    /// <summary>The split's records as System A cases, and the candidate names of both tasks.</summary>
    sealed record SplitCases(List<SystemACase> Train, List<SystemACase> Dev, List<SystemACase> Test, DiseaseCandidates Primary, DiseaseCandidates Other);

    /// <summary>The retrieval study's rows and the database / index the arms use (the embedding best on dev).</summary>
    sealed record RetrievalChoice(List<ResultRow> Rows, string Embedding, AdmissionDiagnosisIndex Index, List<SystemACase> DatabaseCases, List<DatabaseEntry> Database);

    /// <summary>Silver NER data (§3.2): the lexicon annotator and the NER model's training / dev segments.</summary>
    sealed record NerSilver(NerCorpus Corpus, List<NerSegment> Train, List<NerSegment> Dev)
    {
        public IReadOnlyList<string> Entities(SystemACase c)
        {
            var text = BracketFormat.Escape(c.ClinicalInfo);
            return SystemASftData.EntityStrings(text, Corpus.Annotate(text, c.ViewDiseases));
        }
    }

    sealed record PrimaryResult(List<ResultRow> Rows, Dictionary<string, List<PrimaryOutcome>> Outcomes);
    sealed record NerResult(List<ResultRow> Rows, Dictionary<string, List<IReadOnlyList<string>>> TestEntities);
    sealed record OtherResult(List<ResultRow> Rows, List<ResultRow> NerRows, Dictionary<string, List<OtherSamples>> Samples, int TunedThreshold);

    SplitCases LoadCases()
    {
        var p = run.Profile;
        var data = run.Data;
        var cases = new SplitCases(Cases(run.TrainIds), Cases(run.DevIds), Cases(run.TestIds),
            new DiseaseCandidates(data.PrimaryCodes, data.Codes.NameOf),
            new DiseaseCandidates(data.OtherCodes, data.Codes.NameOf) { ListedInPrompt = p.ListOtherCandidates });
        Say($"System A ({p.Name}): {cases.Train.Count} train / {cases.Dev.Count} dev / {cases.Test.Count} test records ({data.Source})");
        return cases;
    }

    /// <summary>Retrieval database (§3.1): nearest-neighbour primary accuracy with TF-IDF vs hidden-state embeddings.</summary>
    RetrievalChoice CompareRetrieval(SplitCases cases, string backbone)
    {
        // The database holds the training records that have a real 入院诊断 (raw text); entity-only records only if none do.
        var train = cases.Train;
        var databaseCases = train.Any(c => c.HasRawText) ? train.Where(c => c.HasRawText).ToList() : train;
        var database = databaseCases.Select(c => new DatabaseEntry(c.Id, c.AdmissionText, c.ClinicalInfo, c.Labels!.PrimaryCode)).ToList();
        var dbTuples = database.Select(e => (e.Id, e.AdmissionText, e.PrimaryCode)).ToList();
        var indexes = new Dictionary<string, AdmissionDiagnosisIndex>
        {
            ["tfidf"] = new(TfidfEmbedding.Fit(database.Select(e => e.AdmissionText)), dbTuples),
            ["hidden"] = new(backend.Embedder(backbone), dbTuples),
        };
        var rows = new List<ResultRow>();
        foreach (var (name, index) in indexes)
            foreach (var (split, list) in new[] { ("dev", cases.Dev), ("test", cases.Test) })
            {
                var hits = index.Nearest(list.Select(c => c.AdmissionText).ToList());
                var correct = list.Select((c, i) => hits[i].PrimaryCode == c.Labels!.PrimaryCode ? 1.0 : 0.0).ToList();
                rows.Add(ArmRows.Row("retrieval", $"nearest_{name}", split, "primary_accuracy", correct, null,
                    $"primary code of the most similar training 入院诊断 ({name} embedding)", run.Seed));
            }
        var devAcc = rows.Where(r => r.Split == "dev").ToDictionary(r => r.Arm, r => r.Value);
        var embedding = devAcc.GetValueOrDefault("nearest_hidden", -1) > devAcc.GetValueOrDefault("nearest_tfidf", -1) ? "hidden" : "tfidf";
        Say($"retrieval embedding for the arms: {embedding} (dev neighbour accuracy tfidf {devAcc.GetValueOrDefault("nearest_tfidf"):0.000}, hidden {devAcc.GetValueOrDefault("nearest_hidden"):0.000})");
        return new RetrievalChoice(rows, embedding, indexes[embedding], databaseCases, database);
    }

    NerSilver NerSilverData(SplitCases cases)
    {
        var p = run.Profile;
        var data = run.Data;
        var corpus = NerCorpus.Create(data.Codes, run.ChipCdn);
        var testAViews = data.TestAEntities.ToDictionary(e => e.Id);
        var testACases = data.TestARaw.Select(r => SystemACase.FromRaw(r, testAViews.GetValueOrDefault(r.Id), p.ClinicalInfo)).ToList();
        IEnumerable<(string, IEnumerable<string>)> Texts(IEnumerable<SystemACase> list) => list.Where(c => c.HasRawText).Select(c => (c.ClinicalInfo, (IEnumerable<string>)c.ViewDiseases));
        return new NerSilver(corpus,
            Subsample(corpus.Segments(Texts(cases.Train.Concat(testACases)), p.NerSegmentChars), p.MaxNerTrainSegments),
            Subsample(corpus.Segments(Texts(cases.Dev), p.NerSegmentChars), Math.Max(8, p.MaxNerTrainSegments / 10)));
    }

    /// <summary>The five SFT sets (Figures 2–3 prompts) and their fine-tuning (reused when already trained on the same data).</summary>
    void FineTuneModels(SplitCases cases, RetrievalChoice retrieval, NerSilver ner)
    {
        var p = run.Profile;
        var (train, dev) = (cases.Train, cases.Dev);
        var trainHits = retrieval.Index.Nearest(train.Select(c => c.AdmissionText).ToList(), train.Select(c => (string?)c.Id).ToList());
        var devHits = retrieval.Index.Nearest(dev.Select(c => c.AdmissionText).ToList());
        var sets = new Dictionary<string, (List<(string, string)> Train, List<(string, string)> Dev)>
        {
            ["primary"] = (SystemASftData.Primary(train, cases.Primary), SystemASftData.Primary(dev, cases.Primary)),
            ["rejudge"] = (SystemASftData.Rejudge(train, trainHits.Select(h => retrieval.DatabaseCases[h.Index]).ToList(), cases.Primary, p.RejudgeWithoutExampleFraction, run.Seed),
                           SystemASftData.Rejudge(dev, devHits.Select(h => retrieval.DatabaseCases[h.Index]).ToList(), cases.Primary, p.RejudgeWithoutExampleFraction, run.Seed)),
            ["other_direct"] = (SystemASftData.Other(train, cases.Other), SystemASftData.Other(dev, cases.Other)),
            ["other_ner"] = (SystemASftData.Other(train, cases.Other, ner.Entities), SystemASftData.Other(dev, cases.Other, ner.Entities)),
            ["ner"] = (SystemASftData.Ner(ner.Train), SystemASftData.Ner(ner.Dev)),
            [SystemAPipeline.PaperOrderModel] = (SystemASftData.Other(train, cases.Other.Listed(), ner.Entities, NerPromptLayout.CandidatesThenEntities),
                SystemASftData.Other(dev, cases.Other.Listed(), ner.Entities, NerPromptLayout.CandidatesThenEntities)),
        };
        foreach (var name in TrainedModels)
        {
            Say($"fine-tuning {name}: {sets[name].Train.Count} train / {sets[name].Dev.Count} dev examples");
            Time($"finetune_{name}", () => backend.FineTune(name, ModelLayout.Backbone(run.ModelsDir), Path.Combine(run.ModelsDir, name), sets[name].Train, sets[name].Dev, p.FineTuneOptions(name, run.Seed), run.Force));
        }
    }

    /// <summary>Writes system-a.json (what `icd predict` loads) and loads the pipeline from it — the one `icd predict` builds.</summary>
    SystemAPipeline SavePipeline(SplitCases cases, RetrievalChoice retrieval)
    {
        var p = run.Profile;
        var config = new SystemAConfig
        {
            PrimaryCandidates = cases.Primary.Codes.Select(c => new CandidateEntry(c, cases.Primary.NameOf(c))).ToList(),
            OtherCandidates = cases.Other.Codes.Select(c => new CandidateEntry(c, cases.Other.NameOf(c))).ToList(),
            ClinicalInfo = p.ClinicalInfo,
            Models = TrainedModels.Append("backbone").ToDictionary(n => n, n => n),
            RetrievalEmbedding = retrieval.Embedding,
            ListOtherCandidates = p.ListOtherCandidates,
            Database = retrieval.Database,
            SamplesPerModel = p.SamplesPerModel,
            EnsembleVoteThreshold = OtherAblation.PaperThreshold(2 * p.SamplesPerModel),
            NerSegmentChars = p.NerSegmentChars,
            Seed = run.Seed,
        };
        config.Save(run.ModelsDir);
        return SystemAPipeline.Load(run.ModelsDir, backend, config);
    }

    /// <summary>
    /// Primary arms at the paper's threshold, the threshold sweep (Figure 4) and the readings of "Confidence = 1"
    /// (<see cref="PrimaryGates"/>); writes primary.csv, primary_cases.csv and calibration.csv (<see cref="ConfidenceCalibration"/>).
    /// </summary>
    PrimaryResult PrimaryArmRows(SystemAPipeline pipeline, SplitCases cases, RetrievalChoice retrieval)
    {
        var p = run.Profile;
        var rows = new List<ResultRow>(retrieval.Rows);
        var caseRows = new List<string> { "id,arm,split,confidence,correct" };
        var outcomes = new Dictionary<string, List<PrimaryOutcome>>();
        // Tolerance 0: the widest gate of all (it also covers "exactly 1" and the bf16/fp16 rounding gates of PrimaryGates).
        var maxThreshold = new ConfidenceThreshold(Math.Max(1.0, p.ThresholdSweep.DefaultIfEmpty(1.0).Max()), 0);
        var calibrationRows = new List<ResultRow>();
        foreach (var (split, list) in new[] { ("dev", cases.Dev), ("test", cases.Test) })
        {
            outcomes[split] = pipeline.PrimaryOutcomes(list, PrimaryArms.All, maxThreshold);
            rows.AddRange(PrimaryAblation.Rows(outcomes[split], split, ConfidenceThreshold.Paper, p.ThresholdSweep, run.Seed));
            rows.AddRange(PrimaryGates.Rows(outcomes[split], split, run.Seed));
            calibrationRows.AddRange(ConfidenceCalibration.Rows(outcomes[split], split, run.Seed));
            caseRows.AddRange(outcomes[split].Select(o => $"{o.Id},baseline,{split},{o.First.Confidence:R},{(o.First.Code == o.Gold).ToString().ToLowerInvariant()}"));
        }
        ResultsTable.Write(Path.Combine(run.OutDir, "primary.csv"), rows);
        IO.AtomicFile.WriteText(Path.Combine(run.OutDir, "primary_cases.csv"), w => { foreach (var row in caseRows) w.Write(row + "\n"); });
        ResultsTable.Write(Path.Combine(run.OutDir, "calibration.csv"), calibrationRows);
        return new PrimaryResult(rows, outcomes);
    }

    /// <summary>NER zero-shot (the backbone) vs fine-tuned vs the silver lexicon (Figure 5): span scores and each variant's test entities.</summary>
    NerResult CompareNer(SystemAPipeline pipeline, SplitCases cases, NerSilver ner, string backbone)
    {
        var test = cases.Test;
        var rows = new List<ResultRow>();
        var variants = new Dictionary<string, List<IReadOnlyList<string>>>();
        var texts = test.Select(c => BracketFormat.Escape(c.ClinicalInfo)).ToList();
        var gold = test.Select((c, i) => (IReadOnlyCollection<EntitySpan>)ner.Corpus.Annotate(texts[i], c.ViewDiseases)).ToList();
        var taggers = new Dictionary<string, NerTagger>
        {
            ["zero_shot"] = new(backend.Generator(backbone), run.Profile.NerSegmentChars),
            ["fine_tuned"] = pipeline.Ner,
        };
        var rawIdx = test.Select((c, i) => (c, i)).Where(t => t.c.HasRawText).Select(t => t.i).ToList();
        foreach (var (name, tagger) in taggers)
        {
            Say($"NER ({name}) on {test.Count} test texts");
            var spans = tagger.TagMany(texts);
            variants[name] = texts.Select((t, i) => (IReadOnlyList<string>)SystemASftData.EntityStrings(t, spans[i])).ToList();
            rows.AddRange(NerRows(name, rawIdx.Select(i => gold[i]).ToList(), rawIdx.Select(i => (IReadOnlyCollection<EntitySpan>)spans[i]).ToList()));
        }
        variants["silver"] = test.Select(ner.Entities).ToList();
        return new NerResult(rows, variants);
    }

    /// <summary>
    /// Other diagnoses: the voting rows (Table 2, with the vote threshold tuned on dev and recorded for `icd predict`)
    /// and the ensemble's F1 with each NER variant's entities (Figure 5).
    /// </summary>
    OtherResult OtherDiagnoses(SystemAPipeline pipeline, SplitCases cases, NerResult ner)
    {
        var config = pipeline.Config;
        var samples = new Dictionary<string, List<OtherSamples>>
        {
            ["dev"] = pipeline.OtherSamples(cases.Dev, pipeline.Entities(cases.Dev).Cast<IReadOnlyList<string>>().ToList(), withPaperOrder: true),
            ["test"] = pipeline.OtherSamples(cases.Test, ner.TestEntities["fine_tuned"], withPaperOrder: true),
        };
        var tuned = OtherAblation.BestThreshold(samples["dev"]);
        (config with { TunedVoteThreshold = tuned }).Save(run.ModelsDir); // for `icd predict --vote tuned`
        var rows = new List<ResultRow>();
        foreach (var split in new[] { "dev", "test" }) rows.AddRange(OtherAblation.Rows(samples[split], split, tuned, run.Seed));
        var nerRows = new List<ResultRow>();
        var directF1 = OtherAblation.F1(samples["test"], OtherAblation.Direct);
        nerRows.Add(ArmRows.Row("ner", "none", "test", "other_f1", directF1, null, "direct model only (no NER input), majority vote", run.Seed));
        foreach (var variant in new[] { "zero_shot", "silver", "fine_tuned" })
        {
            Say($"other diagnoses with {variant} NER entities");
            var variantSamples = variant == "fine_tuned" ? samples["test"] : pipeline.OtherSamples(cases.Test, ner.TestEntities[variant], samples["test"]);
            nerRows.Add(ArmRows.Row("ner", variant, "test", "other_f1",
                OtherAblation.F1(variantSamples, s => OtherAblation.Ensemble(s, config.EnsembleVoteThreshold)), directF1,
                $"ensemble (direct + NER-enhanced, > {config.EnsembleVoteThreshold}) with {variant} entities", run.Seed));
        }
        return new OtherResult(rows, nerRows, samples, tuned);
    }

    /// <summary>
    /// Overall (Table 3): every primary arm combined with the ensemble, and System A itself — <see cref="SystemAPipeline.Decide"/>
    /// over the pipeline's outcomes, exactly what <see cref="SystemAPipeline.Predict"/> (`icd predict`) returns for
    /// these records. Writes predictions/*.json and overall.csv (with paired comparisons against the peers).
    /// </summary>
    List<ResultRow> Overall(SystemAPipeline pipeline, SplitCases cases, PrimaryResult primary, OtherResult other)
    {
        var config = pipeline.Config;
        var (outcomes, samples) = (primary.Outcomes["test"], other.Samples["test"]);
        List<CodeAssignment> Combine(PrimaryArm arm, ConfidenceThreshold threshold, Func<OtherSamples, List<string>> otherCodes)
            => SystemAPipeline.Decide(outcomes, samples, arm, threshold, otherCodes);
        var predictions = new Dictionary<string, List<CodeAssignment>>
        {
            ["sft_baseline"] = Combine(PrimaryArm.Baseline, ConfidenceThreshold.Paper, OtherAblation.Direct),
        };
        foreach (var arm in PrimaryArms.All)
            predictions[$"primary_{arm.Name()}+ensemble"] = Combine(arm, ConfidenceThreshold.Paper, s => OtherAblation.Ensemble(s, config.EnsembleVoteThreshold));
        predictions["system_a"] = Combine(PrimaryArm.ConfidenceRetrieval, config.Threshold(), s => OtherAblation.Ensemble(s, config.EnsembleVoteThreshold));
        // What `icd predict` writes by default: the same pipeline with the ensemble's vote threshold chosen on dev.
        predictions["system_a_tuned"] = Combine(PrimaryArm.ConfidenceRetrieval, config.Threshold(), s => OtherAblation.Ensemble(s, other.TunedThreshold));
        var predDir = Path.Combine(run.OutDir, "predictions");
        Directory.CreateDirectory(predDir);
        foreach (var (name, preds) in predictions) SubmissionFormat.Write(Path.Combine(predDir, $"{name.Replace('+', '_')}.json"), preds);

        var gold = cases.Test.Select(c => c.Labels!).ToList();
        var rows = new List<ResultRow>();
        var scores = predictions.ToDictionary(kv => kv.Key, kv => gold.Select((g, i) => Ccl25Metrics.ScoreRecord(g, kv.Value[i])).ToList());
        var baseScores = scores["sft_baseline"];
        foreach (var (name, recs) in scores)
        {
            var vsBase = name == "sft_baseline" ? null : baseScores;
            rows.Add(ArmRows.Row("overall", name, "test", "acc_f1", recs.Select(r => r.AccF1).ToList(), vsBase?.Select(r => r.AccF1).ToList(), "Lv et al. Eq. 4: 0.5·I(primary) + 0.5·F1(other); p vs sft_baseline", run.Seed));
            rows.Add(ArmRows.Row("overall", name, "test", "acc_recall", recs.Select(r => r.AccRecall).ToList(), vsBase?.Select(r => r.AccRecall).ToList(), "organisers' formula; p vs sft_baseline", run.Seed));
            rows.Add(ArmRows.Row("overall", name, "test", "primary_accuracy", recs.Select(r => r.PrimaryCorrect ? 1.0 : 0.0).ToList(), null, null, run.Seed));
            rows.Add(ArmRows.Row("overall", name, "test", "other_f1", recs.Select(r => r.Other.F1).ToList(), null, null, run.Seed));
        }
        foreach (var (peer, peerPreds) in run.PeerPredictions())
        {
            var byId = peerPreds.ToDictionary(x => x.Id);
            var peerScores = gold.Select(g => Ccl25Metrics.ScoreRecord(g, byId.GetValueOrDefault(g.Id)).AccF1).ToList();
            foreach (var system in new[] { "system_a", "system_a_tuned" })
            {
                var ours = scores[system].Select(r => r.AccF1).ToList();
                var cmp = PairedTest.ApproximateRandomization(peerScores, ours, run.Seed);
                rows.Add(new ResultRow
                {
                    Experiment = "overall", Arm = $"{system}-vs-{peer}", Split = "test", N = cmp.N, Metric = "acc_f1_delta",
                    Value = cmp.Delta, CiLow = cmp.CiLow, CiHigh = cmp.CiHigh, PValue = cmp.PValue,
                    Note = $"acc_f1({system}) {cmp.MeanB:0.0000} - acc_f1({peer}) {cmp.MeanA:0.0000}; {cmp.Method}",
                });
            }
        }
        ResultsTable.Write(Path.Combine(run.OutDir, "overall.csv"), rows);

        return rows;
    }

    /// <summary>
    /// results/predictions/test-input.json: the scored test records in the official input schema with their labels
    /// removed, so `icd predict --input` on it reproduces predictions/system_a.json. Records known only through
    /// their entity view have no raw text in that schema and are left out (said so).
    /// </summary>
    void WriteTestInput(IReadOnlyList<SystemACase> test)
    {
        var raw = test.Where(c => run.Data.RawById.ContainsKey(c.Id)).Select(c => run.Data.RawById[c.Id] with { PrimaryCode = null, OtherCodes = null }).ToList();
        if (raw.Count < test.Count) Say($"test-input.json: {test.Count - raw.Count} of {test.Count} test records exist only as entity views and are left out");
        Ccl25RawFile.Save(Path.Combine(run.OutDir, "predictions", "test-input.json"), raw);
    }

    SystemASummary Summary(SplitCases cases, NerSilver ner, RetrievalChoice retrieval, IReadOnlyDictionary<string, double> headline) => new()
    {
        Profile = run.Profile.Name,
        DataSource = run.Data.Source,
        Synthetic = run.Data.IsSynthetic,
        NTrain = cases.Train.Count, NDev = cases.Dev.Count, NTest = cases.Test.Count,
        NTrainWithRawText = cases.Train.Count(c => c.HasRawText), NTestWithRawText = cases.Test.Count(c => c.HasRawText),
        NerTrainSegments = ner.Train.Count,
        ModelsDir = Path.GetFullPath(run.ModelsDir),
        Models = TrainedModels.Append("backbone").ToDictionary(n => n, n => Path.GetFullPath(Path.Combine(run.ModelsDir, n))),
        RetrievalEmbedding = retrieval.Embedding,
        Headline = headline,
        Seconds = _seconds,
    };

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

    void Time(string stage, Action action) => Time(stage, () => { action(); return 0; });

    T Time<T>(string stage, Func<T> step)
    {
        var sw = Stopwatch.StartNew();
        var result = step();
        _seconds[stage] = sw.Elapsed.TotalSeconds;
        _stages?.Advance(figure: $"last: {stage}");
        Say($"{stage} done in {sw.Elapsed.TotalSeconds:0.0} s");
        return result;
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
