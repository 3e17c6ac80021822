namespace IcdResearch.Pipelines.CodeCentric;

/// <summary>
/// One line of the CCL ablation (paper Table 3, lines 1–5): which example sets the model is fine-tuned on.
/// <see cref="Trained"/> is false for the zero-shot backbone. <see cref="SpanOnly"/> (not in Table 3) trains on span
/// pairs alone, for the training-efficiency comparison (Table 2) and the out-of-domain test.
/// </summary>
public sealed record CodeCentricArm(string Name, int Line, string Description, bool Trained, bool DocumentLevel, bool DocumentEvidence,
    bool GoldSpans, bool SilverSyntheticSpans)
{
    public bool SpanOnly => Trained && !DocumentLevel;

    /// <summary>Whether the document-level instruction asks for evidence (every arm except "codes only").</summary>
    public bool AsksForEvidence => !Trained || DocumentEvidence || SpanOnly;

    public static readonly IReadOnlyList<CodeCentricArm> Ablation =
    [
        new("zero_shot", 1, "backbone, no fine-tuning", false, false, false, false, false),
        new("doc_codes", 2, "document-level, codes only", true, true, false, false, false),
        new("doc_evidence", 3, "document-level, evidence then codes", true, true, true, false, false),
        new("gold_spans", 4, "+ gold span pairs (DCCNCE names, CHIP-CDN mentions)", true, true, true, true, false),
        new("silver_synthetic", 5, "+ silver and synthetic span pairs", true, true, true, true, true),
    ];

    public static readonly CodeCentricArm SpanOnlyArm = new("span_only", 0, "span-level pairs only (gold + silver + synthetic)", true, false, false, true, true);

    /// <summary>
    /// The model folders of the experiment, by name: the backbone (the zero-shot line) and every trained arm's run folder
    /// (the ablation lines, span-only and the equal-steps arms) — the roles a served run names (OpenAiModelBackend).
    /// </summary>
    public static IReadOnlyList<string> ModelNames { get; } =
        ["backbone", .. Ablation.Where(a => a.Trained).Select(a => a.Name), SpanOnlyArm.Name,
         .. Ablation.Where(a => EqualSteps.Lines.Contains(a.Line)).Select(EqualSteps.ArmName)];
}
