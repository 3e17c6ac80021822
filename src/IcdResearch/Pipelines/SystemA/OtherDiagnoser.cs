using IcdResearch.Data;
using IcdResearch.Inference;
using IcdResearch.Inference.Constraints;

namespace IcdResearch.Pipelines.SystemA;

/// <summary>
/// Other diagnoses of System A (system paper §3.2, Table 2): a fine-tuned model (direct input, or NER-enhanced input
/// with the recognised disease entities) is sampled <c>samples</c> times per record under the name-set grammar; each
/// sample is parsed into a code set. Voting over the samples is in <see cref="Voting.HardVoting"/>.
/// </summary>
public sealed class OtherDiagnoser(IAnswerGenerator model, DiseaseCandidates candidates, int samples = 8, int seed = 42,
    NerPromptLayout layout = NerPromptLayout.EntitiesThenCandidates)
{
    public int Samples { get; } = samples;

    /// <param name="clinicalInfo">The record's clinical-information text (prompt input).</param>
    /// <param name="entities">Null for the direct model; the record's NER entities for the NER-enhanced model.</param>
    /// <param name="recordId">The record's id: its samples are seeded from it (<see cref="RecordSeed"/>), so they do not depend on batch or order.</param>
    public List<List<string>> Sample(string clinicalInfo, IReadOnlyList<string>? entities, string recordId)
    {
        var prompt = SystemAPrompts.Other(clinicalInfo, candidates, entities, layout);
        var answers = model.Sample(prompt, new AnswerGrammar.NameSet(candidates.Names), Samples, RecordSeed.For(seed, recordId));
        return answers.Select(a => candidates.ParseSet(a.Text)).ToList();
    }
}
