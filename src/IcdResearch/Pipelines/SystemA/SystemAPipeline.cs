using IcdResearch.Data;
using IcdResearch.Ner;
using IcdResearch.Progress;
using IcdResearch.Retrieval;

namespace IcdResearch.Pipelines.SystemA;

/// <summary>
/// System A's full inference pipeline (system paper Figure 1) over prepared cases: LLM-NER → entities;
/// primary = SFT answer + confidence (Lv et al. Eq. 2–3) + retrieval (§3.1) + re-judge under the configured arm;
/// others = direct and NER-enhanced models sampled and hard-voted together (§3.2). Each step is public so the
/// experiment can run the ablation arms on the same intermediate outputs.
/// </summary>
public sealed class SystemAPipeline(SystemAConfig config, AdmissionDiagnosisIndex index, PrimaryDiagnoser primary,
    OtherDiagnoser otherDirect, OtherDiagnoser otherNer, NerTagger ner)
{
    public SystemAConfig Config { get; } = config;
    public AdmissionDiagnosisIndex Index { get; } = index;
    public PrimaryDiagnoser Primary { get; } = primary;
    public OtherDiagnoser OtherDirect { get; } = otherDirect;
    public OtherDiagnoser OtherNer { get; } = otherNer;
    public NerTagger Ner { get; } = ner;
    /// <summary>The NER-enhanced model trained on Lv et al. Figure 3's prompt order, when the models folder has one (an ablation arm only).</summary>
    public OtherDiagnoser? OtherNerPaperOrder { get; init; }

    /// <summary>Model folder name of the paper-prompt-order NER-enhanced model (<see cref="OtherNerPaperOrder"/>).</summary>
    public const string PaperOrderModel = "other_ner_paper";

    /// <summary>Loads every model of a models folder written by `icd reproduce`.</summary>
    public static SystemAPipeline Load(string modelsDir, IModelBackend backend, SystemAConfig? config = null)
    {
        config ??= SystemAConfig.Load(modelsDir);
        string Dir(string key) => Path.Combine(modelsDir, config.Models.TryGetValue(key, out var d) ? d : throw new InvalidDataException($"{SystemAConfig.FileName} names no '{key}' model"));
        ITextEmbedder embedder = config.RetrievalEmbedding switch
        {
            "tfidf" => TfidfEmbedding.Fit(config.Database.Select(e => e.AdmissionText)),
            "hidden" => backend.Embedder(Dir("backbone")),
            var other => throw new InvalidDataException($"unknown retrieval_embedding '{other}' in {SystemAConfig.FileName} (tfidf or hidden)"),
        };
        var index = new AdmissionDiagnosisIndex(embedder, config.Database.Select(e => (e.Id, e.AdmissionText, e.PrimaryCode)).ToList());
        var primaryCandidates = config.Primary();
        var otherCandidates = config.Other();
        return new SystemAPipeline(config, index,
            new PrimaryDiagnoser(backend.Generator(Dir("primary")), backend.Generator(Dir("rejudge")), primaryCandidates),
            new OtherDiagnoser(backend.Generator(Dir("other_direct")), otherCandidates, config.SamplesPerModel, config.Seed),
            new OtherDiagnoser(backend.Generator(Dir("other_ner")), otherCandidates, config.SamplesPerModel, config.Seed + 1),
            new NerTagger(backend.Generator(Dir("ner")), config.NerSegmentChars))
        {
            OtherNerPaperOrder = config.Models.ContainsKey(PaperOrderModel)
                ? new OtherDiagnoser(backend.Generator(Dir(PaperOrderModel)), otherCandidates.Listed(), config.SamplesPerModel, config.Seed + 1, NerPromptLayout.CandidatesThenEntities)
                : null,
        };
    }

    /// <summary>Disease entities of each case's clinical information (distinct strings in order of appearance).</summary>
    public List<List<string>> Entities(IReadOnlyList<SystemACase> cases)
    {
        var texts = cases.Select(c => BracketFormat.Escape(c.ClinicalInfo)).ToList();
        var spans = Ner.TagMany(texts);
        return texts.Select((t, i) => SystemASftData.EntityStrings(t, spans[i])).ToList();
    }

    /// <summary>The retrieved example for a hit (the database entry's clinical information and answer name).</summary>
    public RetrievedExample Example(RetrievalHit hit)
    {
        var entry = Config.Database[hit.Index];
        return new RetrievedExample(entry.ClinicalInfo, Primary.Candidates.NameOf(entry.PrimaryCode));
    }

    /// <summary>
    /// Everything the primary arms in <paramref name="arms"/> need at any threshold up to <paramref name="maxThreshold"/>:
    /// the first pass (answer + Lv et al. Eq. 3 confidence), the retrieved neighbour (§3.1) and the re-judge answers of the
    /// records some arm routes (batched). <see cref="PrimaryOutcome.Gold"/> is empty for unlabelled records.
    /// </summary>
    public List<PrimaryOutcome> PrimaryOutcomes(IReadOnlyList<SystemACase> cases, IReadOnlyCollection<PrimaryArm> arms, ConfidenceThreshold maxThreshold)
    {
        var infos = cases.Select(c => c.ClinicalInfo).ToList();
        var first = Primary.FirstPass(infos);
        var hits = Index.Nearest(cases.Select(c => c.AdmissionText).ToList());
        var (with, without) = PrimaryAblation.Needed(first, hits.Select(h => h.PrimaryCode).ToList(), arms, maxThreshold);
        var withAnswers = Primary.Rejudge(with.Select(i => infos[i]).ToList(), with.Select(i => (RetrievedExample?)Example(hits[i])).ToList());
        var withoutAnswers = Primary.Rejudge(without.Select(i => infos[i]).ToList(), without.Select(_ => (RetrievedExample?)null).ToList());
        var withMap = with.Select((i, k) => (i, k)).ToDictionary(t => t.i, t => withAnswers[t.k]);
        var withoutMap = without.Select((i, k) => (i, k)).ToDictionary(t => t.i, t => withoutAnswers[t.k]);
        return cases.Select((c, i) => new PrimaryOutcome(c.Id, c.Labels?.PrimaryCode ?? "", first[i], hits[i].PrimaryCode,
            withMap.GetValueOrDefault(i), withoutMap.GetValueOrDefault(i))).ToList();
    }

    /// <summary>
    /// The direct and NER-enhanced models' samples for each case (seeded by record id); <paramref name="reuseDirect"/>
    /// shares the direct model's samples across NER variants. <see cref="OtherSamples.Gold"/> is empty for unlabelled records.
    /// With <c>withPaperOrder</c> the <see cref="OtherNerPaperOrder"/> model is sampled too (an ablation arm; `icd predict` does not need it).
    /// </summary>
    public List<OtherSamples> OtherSamples(IReadOnlyList<SystemACase> cases, IReadOnlyList<IReadOnlyList<string>> entities,
        IReadOnlyList<OtherSamples>? reuseDirect = null, bool withPaperOrder = false)
        => WorkProgress.Run(reuseDirect is null ? "other diagnoses (direct + NER-enhanced samples)" : "other diagnoses (NER-enhanced samples)",
            cases.Count, "records", progress => cases.Select((c, i) =>
            {
                var samples = new OtherSamples(c.Id, c.Labels?.OtherSet ?? new HashSet<string>(),
                    reuseDirect?[i].Direct ?? OtherDirect.Sample(c.ClinicalInfo, null, c.Id), OtherNer.Sample(c.ClinicalInfo, entities[i], c.Id))
                {
                    WithNerPaperOrder = withPaperOrder ? OtherNerPaperOrder?.Sample(c.ClinicalInfo, entities[i], c.Id) : null,
                };
                progress.Advance();
                return samples;
            }).ToList());

    /// <summary>
    /// One prediction per record from its computed outcomes: the primary code routed under <paramref name="arm"/> and
    /// the other codes chosen by <paramref name="otherCodes"/> from the record's samples (e.g. the ensemble vote).
    /// </summary>
    public static List<CodeAssignment> Decide(IReadOnlyList<PrimaryOutcome> primary, IReadOnlyList<OtherSamples> other,
        PrimaryArm arm, ConfidenceThreshold threshold, Func<OtherSamples, List<string>> otherCodes)
    {
        var decisions = PrimaryAblation.Decide(primary, arm, threshold);
        return primary.Select((o, i) => new CodeAssignment(o.Id, decisions[i].Code, otherCodes(other[i]))).ToList();
    }

    /// <summary>
    /// The full pipeline (paper method for both tasks: confidence + retrieval routing, NER-enhanced ensemble) → one
    /// prediction per case; <paramref name="voteThreshold"/> overrides the ensemble's vote threshold (e.g.
    /// <see cref="SystemAConfig.TunedVoteThreshold"/>). `icd reproduce` scores exactly this (its system_a rows are
    /// <see cref="Decide"/> over the same outcomes), and a record's prediction does not depend on the other cases.
    /// </summary>
    public List<CodeAssignment> Predict(IReadOnlyList<SystemACase> cases, int? voteThreshold = null)
    {
        var entities = Entities(cases);
        var primary = PrimaryOutcomes(cases, [PrimaryArm.ConfidenceRetrieval], Config.Threshold());
        var other = OtherSamples(cases, entities.Cast<IReadOnlyList<string>>().ToList());
        var vote = voteThreshold ?? Config.EnsembleVoteThreshold;
        return Decide(primary, other, PrimaryArm.ConfidenceRetrieval, Config.Threshold(), s => OtherAblation.Ensemble(s, vote));
    }
}
