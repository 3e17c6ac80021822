namespace IcdResearch.Pipelines.CodeCentric;

/// <summary>
/// The Chinese instructions of Code-Centric Learning (CCL paper §3.2 and Appendix F, translated to the CCL25 setting).
/// Document-level examples ask for evidence spans in document order and then codes with names; span-level examples
/// map one evidence span to its code. The two mining prompts (Zhang et al. Eq. 6 and 7) are kept here so the silver pairs are
/// documented next to the code that produced them.
/// </summary>
public static class CodeCentricPrompts
{
    /// <summary>Document level, evidence then codes (Table 3 lines 1, 3–5; Appendix F).</summary>
    public const string DocumentWithEvidence =
        "你是专业的ICD编码员。阅读病历，先按病历中出现的顺序逐条摘录支持诊断的原文证据，再列出ICD-10编码及疾病名称。\n病历：\n";

    /// <summary>Document level, codes only (Table 3 line 2).</summary>
    public const string DocumentCodesOnly =
        "你是专业的ICD编码员。阅读病历，列出ICD-10编码及疾病名称。\n病历：\n";

    /// <summary>Span level: one evidence span → its code (§3.2, "code-centric" examples).</summary>
    public const string Span = "请为下面的临床证据给出ICD-10编码及疾病名称。\n证据：";

    /// <summary>Silver mining stage 1 (Zhang et al. Eq. 6): the minimal verbatim span for one gold code, or 无证据.</summary>
    public const string MineSpan =
        "下面是一份病历和它的一个ICD-10编码。请从病历原文中逐字摘录能支持该编码的最短片段；若病历中没有证据，回答“无证据”。\n编码：{0} {1}\n病历：\n{2}";

    /// <summary>Silver mining stage 2 (Zhang et al. Eq. 7): consolidate the spans of one code (with counts) into a few expressions.</summary>
    public const string ConsolidateSpans =
        "下面是同一ICD-10编码 {0} {1} 在多份病历中的证据片段及出现次数。请合并同义表达，给出不超过{2}条最有代表性的表达，每行一条。\n{3}";

    /// <summary>The answer marker returned by the stage-1 prompt when a document holds no evidence.</summary>
    public const string NoEvidence = "无证据";

    public static string Document(string document, bool withEvidence) => (withEvidence ? DocumentWithEvidence : DocumentCodesOnly) + document;

    public static string ForSpan(string span) => Span + span;
}
