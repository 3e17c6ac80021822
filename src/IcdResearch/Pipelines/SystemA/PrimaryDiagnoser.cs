using IcdResearch.Inference;
using IcdResearch.Inference.Constraints;
using IcdResearch.Progress;

namespace IcdResearch.Pipelines.SystemA;

/// <summary>
/// Primary diagnosis of System A (system paper §3.1): the SFT model picks one candidate name (greedy, constrained to the
/// candidate names); its confidence is the mean token probability (Lv et al. Eq. 2–3). The re-judge model answers the same
/// question with or without the retrieved one-shot example.
/// </summary>
public sealed class PrimaryDiagnoser(IAnswerGenerator sft, IAnswerGenerator rejudge, DiseaseCandidates candidates, int batchSize = 8)
{
    public DiseaseCandidates Candidates { get; } = candidates;

    public List<PrimaryFirstPass> FirstPass(IReadOnlyList<string> clinicalInfos)
        => Answer("primary first pass", sft, clinicalInfos.Select(i => SystemAPrompts.Primary(i, Candidates)).ToList());

    /// <summary>Re-judge answers; <paramref name="examples"/>[i] null gives the example-free prompt (confidence-only arm).</summary>
    public List<string> Rejudge(IReadOnlyList<string> clinicalInfos, IReadOnlyList<RetrievedExample?> examples)
        => Answer("re-judge", rejudge, clinicalInfos.Select((info, i) => SystemAPrompts.Rejudge(info, Candidates, examples[i])).ToList()).Select(a => a.Code).ToList();

    List<PrimaryFirstPass> Answer(string title, IAnswerGenerator model, IReadOnlyList<string> prompts)
    {
        var grammar = new AnswerGrammar.OneName(Candidates.Names);
        var result = new List<PrimaryFirstPass>(prompts.Count);
        if (prompts.Count == 0) return result;
        WorkProgress.Run(title, prompts.Count, "records", progress =>
        {
            foreach (var batch in prompts.Chunk(batchSize))
            {
                foreach (var answer in model.Greedy(batch, batch.Select(_ => (AnswerGrammar)grammar).ToList()))
                {
                    // Constrained decoding only emits candidate names; an unmappable answer (e.g. cut by the token limit)
                    // falls back to the first candidate with confidence 0, so it is always routed as uncertain.
                    var code = Candidates.CodeOf(answer.Text);
                    result.Add(code is null ? new PrimaryFirstPass(Candidates.Codes[0], 0)
                        : new PrimaryFirstPass(code, answer.Confidence) { TokenProbabilities = answer.TokenProbabilities, RunnerUpProbabilities = answer.RunnerUpProbabilities });
                }
                progress.Advance(batch.Length);
            }
        });
        return result;
    }
}
