using IcdResearch.Data;
using IcdResearch.Ner;
using IcdResearch.Retrieval;
using IcdResearch.Voting;

namespace IcdResearch.Pipelines.SystemA;

/// <summary>
/// System A's full inference pipeline (system paper Figure 1) over prepared cases: LLM-NER → entities;
/// primary = SFT answer + confidence (Eq. 2–3) + retrieval (Eq. 1) + re-judge under the configured arm;
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

    /// <summary>Loads every model of a models folder written by `icd reproduce`.</summary>
    public static SystemAPipeline Load(string modelsDir, ISystemABackend backend, SystemAConfig? config = null)
    {
        config ??= SystemAConfig.Load(modelsDir);
        string Dir(string key) => Path.Combine(modelsDir, config.Models.TryGetValue(key, out var d) ? d : throw new InvalidDataException($"{SystemAConfig.FileName} names no '{key}' model"));
        ITextEmbedder embedder = config.RetrievalEmbedding switch
        {
            "tfidf" => TfidfEmbedding.Fit(config.Database.Select(e => e.AdmissionText)),
            "hidden" => backend.HiddenStateEmbedder(Dir("backbone")),
            var other => throw new InvalidDataException($"unknown retrieval_embedding '{other}' in {SystemAConfig.FileName} (tfidf or hidden)"),
        };
        var index = new AdmissionDiagnosisIndex(embedder, config.Database.Select(e => (e.Id, e.AdmissionText, e.PrimaryCode)).ToList());
        var primaryCandidates = config.Primary();
        var otherCandidates = config.Other();
        return new SystemAPipeline(config, index,
            new PrimaryDiagnoser(backend.Generator(Dir("primary")), backend.Generator(Dir("rejudge")), primaryCandidates),
            new OtherDiagnoser(backend.Generator(Dir("other_direct")), otherCandidates, config.SamplesPerModel, config.Seed),
            new OtherDiagnoser(backend.Generator(Dir("other_ner")), otherCandidates, config.SamplesPerModel, config.Seed + 1),
            new NerTagger(backend.Generator(Dir("ner")), config.NerSegmentChars));
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

    /// <summary>Primary codes under one arm: first pass, retrieval, and re-judging of the routed cases (batched).</summary>
    public List<PrimaryDecision> PrimaryCodes(IReadOnlyList<SystemACase> cases, PrimaryArm arm, ConfidenceThreshold threshold)
    {
        var first = Primary.FirstPass(cases.Select(c => c.ClinicalInfo).ToList());
        var hits = Index.Nearest(cases.Select(c => c.AdmissionText).ToList());
        var routes = cases.Select((_, i) => PrimaryRouter.Route(arm, first[i], hits[i].PrimaryCode, threshold)).ToList();
        var routed = Enumerable.Range(0, cases.Count).Where(i => routes[i] != PrimaryRoute.Kept).ToList();
        var answers = Primary.Rejudge(routed.Select(i => cases[i].ClinicalInfo).ToList(),
            routed.Select(i => routes[i] == PrimaryRoute.RejudgedWithExample ? Example(hits[i]) : null).ToList());
        var rejudged = routed.Select((i, k) => (i, k)).ToDictionary(t => t.i, t => answers[t.k]);
        return cases.Select((_, i) => PrimaryRouter.Decide(arm, first[i], hits[i].PrimaryCode, threshold,
            () => rejudged[i], () => rejudged[i])).ToList();
    }

    /// <summary>
    /// Other codes: direct and NER-enhanced samples pooled and voted — a code is kept when it is in more than
    /// <paramref name="voteThreshold"/> of the pooled samples (default: the configured paper rule, &gt; 7 of 16).
    /// </summary>
    public List<List<string>> OtherCodes(IReadOnlyList<SystemACase> cases, IReadOnlyList<IReadOnlyList<string>> entities, int? voteThreshold = null)
        => cases.Select((c, i) => HardVoting.Ensemble([OtherDirect.Sample(c.ClinicalInfo, null, i), OtherNer.Sample(c.ClinicalInfo, entities[i], i)],
            voteThreshold ?? Config.EnsembleVoteThreshold)).ToList();

    /// <summary>
    /// The full pipeline (paper method for both tasks) → one prediction per case; <paramref name="voteThreshold"/>
    /// overrides the ensemble's vote threshold (e.g. <see cref="SystemAConfig.TunedVoteThreshold"/>).
    /// </summary>
    public List<CodeAssignment> Predict(IReadOnlyList<SystemACase> cases, int? voteThreshold = null)
    {
        var entities = Entities(cases);
        var primary = PrimaryCodes(cases, PrimaryArm.ConfidenceRetrieval, Config.Threshold());
        var others = OtherCodes(cases, entities.Cast<IReadOnlyList<string>>().ToList(), voteThreshold);
        return cases.Select((c, i) => new CodeAssignment(c.Id, primary[i].Code, others[i])).ToList();
    }
}
