using IcdResearch.Ner;

namespace IcdResearch.Pipelines.SystemA;

/// <summary>
/// The supervised fine-tuning sets of System A (system paper §3, Table 1), as (prompt, answer) pairs — prompt = user
/// turn from <see cref="SystemAPrompts"/>, answer = the assistant turn the loss is computed on.
/// </summary>
public static class SystemASftData
{
    /// <summary>§3.1 primary model: clinical info + candidates → the primary diagnosis name.</summary>
    public static List<(string Prompt, string Answer)> Primary(IEnumerable<SystemACase> cases, DiseaseCandidates primary)
        => cases.Select(c => (SystemAPrompts.Primary(c.ClinicalInfo, primary), primary.NameOf(Labelled(c).PrimaryCode))).ToList();

    /// <summary>
    /// §3.1 re-judge model: each training case with its nearest <em>other</em> training case and that case's answer as
    /// the one-shot example (so the example's answer is sometimes wrong and the model must weigh it). A seeded fraction
    /// <paramref name="withoutExampleFraction"/> is given without the example, so the same model also serves the
    /// confidence-only arm, which routes cases without retrieval.
    /// </summary>
    public static List<(string Prompt, string Answer)> Rejudge(IReadOnlyList<SystemACase> cases, IReadOnlyList<SystemACase> neighbours,
        DiseaseCandidates primary, double withoutExampleFraction = 0.25, int seed = 42)
    {
        if (cases.Count != neighbours.Count) throw new ArgumentException($"{cases.Count} cases but {neighbours.Count} neighbours");
        var rng = new Random(seed);
        return cases.Select((c, i) =>
        {
            var example = rng.NextDouble() < withoutExampleFraction ? null : Example(neighbours[i], primary);
            return (SystemAPrompts.Rejudge(c.ClinicalInfo, primary, example), primary.NameOf(Labelled(c).PrimaryCode));
        }).ToList();
    }

    /// <summary>The one-shot example a retrieved training case contributes.</summary>
    public static RetrievedExample Example(SystemACase neighbour, DiseaseCandidates primary)
        => new(neighbour.ClinicalInfo, primary.NameOf(Labelled(neighbour).PrimaryCode));

    /// <summary>
    /// §3.2 other-diagnosis model, direct input (<paramref name="entitiesOf"/> null) or NER-enhanced input (entities of
    /// each case, e.g. the silver entities of its clinical information). Answer: the candidate names of its other codes
    /// in canonical order, or "无".
    /// </summary>
    public static List<(string Prompt, string Answer)> Other(IEnumerable<SystemACase> cases, DiseaseCandidates other, Func<SystemACase, IReadOnlyList<string>>? entitiesOf = null,
        NerPromptLayout layout = NerPromptLayout.EntitiesThenCandidates)
        => cases.Select(c => (SystemAPrompts.Other(c.ClinicalInfo, other, entitiesOf?.Invoke(c), layout), other.FormatSet(Labelled(c).OtherCodes))).ToList();

    /// <summary>§3.2 LLM-NER: segment → the segment with its (silver) entities bracketed.</summary>
    public static List<(string Prompt, string Answer)> Ner(IEnumerable<NerSegment> segments)
        => segments.Select(s => (SystemAPrompts.Ner(s.Text), BracketFormat.Wrap(s.Text, s.Spans))).ToList();

    /// <summary>Distinct entity strings in order of appearance (the NER-enhanced prompt's entity list).</summary>
    public static List<string> EntityStrings(string text, IEnumerable<EntitySpan> spans)
        => spans.OrderBy(s => s.Start).Select(s => s.Of(text)).Distinct(StringComparer.Ordinal).ToList();

    static Data.CodeAssignment Labelled(SystemACase c) => c.Labels ?? throw new ArgumentException($"record {c.Id} has no labels; SFT data needs labelled records");
}
