namespace IcdResearch.Pipelines.SystemA;

/// <summary>
/// Prompt builders of System A (system paper Figures 2 and 3): task instruction + clinical information + candidate
/// disease names (+ NER entities, + a retrieved one-shot example for re-judging). The returned string is the user turn;
/// the model's chat template wraps it. Instructions are kept short because the default backbone reads characters.
/// </summary>
public static class SystemAPrompts
{
    /// <summary>Figure 2: primary diagnosis — choose exactly one candidate name.</summary>
    public static string Primary(string clinicalInfo, DiseaseCandidates candidates)
        => $"任务：从候选疾病中选出主要诊断，只输出一个疾病名称。\n临床信息：{clinicalInfo}{CandidateLine(candidates)}";

    /// <summary>
    /// §3.1 re-judge model: the case plus the most similar training case and its answer (one-shot). With
    /// <paramref name="example"/> null (confidence-only arm) the same instruction without the reference case.
    /// </summary>
    public static string Rejudge(string clinicalInfo, DiseaseCandidates candidates, RetrievedExample? example)
    {
        var reference = example is null ? "" : $"参考病例：{example.ClinicalInfo}\n参考答案：{example.AnswerName}\n";
        return $"任务：复核主要诊断，只输出一个疾病名称。\n{reference}临床信息：{clinicalInfo}{CandidateLine(candidates)}";
    }

    /// <summary>
    /// Figure 3: other diagnoses — all applicable candidate names joined by ';'. With <paramref name="entities"/> the
    /// NER-enhanced input (§3.2): the disease entities recognised in the record are listed after the clinical information
    /// (ours, <see cref="NerPromptLayout.EntitiesThenCandidates"/>) or, in Figure 3's order, after the candidate names,
    /// which are then always listed (<see cref="NerPromptLayout.CandidatesThenEntities"/>).
    /// </summary>
    public static string Other(string clinicalInfo, DiseaseCandidates candidates, IReadOnlyList<string>? entities = null,
        NerPromptLayout layout = NerPromptLayout.EntitiesThenCandidates)
    {
        var ner = entities is null ? "" : $"\n疾病实体：{(entities.Count == 0 ? DiseaseCandidates.None : string.Join('，', entities))}";
        var head = $"任务：从候选疾病中选出全部其他诊断，用;分隔，没有则输出{DiseaseCandidates.None}。\n临床信息：{clinicalInfo}";
        return layout == NerPromptLayout.CandidatesThenEntities
            ? $"{head}\n候选疾病：{candidates.PromptList()}{ner}"
            : $"{head}{ner}{CandidateLine(candidates)}";
    }

    static string CandidateLine(DiseaseCandidates c) => c.ListedInPrompt ? $"\n候选疾病：{c.PromptList()}" : "";

    /// <summary>§3.2 LLM-NER: copy the text and wrap every 疾病和诊断 entity in [ ] (Figure 3, bottom).</summary>
    public static string Ner(string text)
        => $"任务：复制下文，用[]标出其中的疾病和诊断实体。\n文本：{text}";
}

/// <summary>
/// Order of the NER-enhanced other-diagnosis prompt (Lv et al. Figure 3): the paper lists the candidate names first and
/// then the recognised entities; ours puts the entities right after the clinical information and may omit the names.
/// </summary>
public enum NerPromptLayout { EntitiesThenCandidates, CandidatesThenEntities }

/// <summary>A retrieved training case handed to the re-judge model: its clinical information and its primary-diagnosis name.</summary>
public sealed record RetrievedExample(string ClinicalInfo, string AnswerName);
