namespace IcdResearch.Pipelines.Study;

/// <summary>
/// One ablation delta the seed study pools: in results file <see cref="File"/>, rows of <see cref="Experiment"/> and
/// <see cref="Metric"/> on the test split, arm minus baseline. The arm row's p-value must be its paired test against
/// that baseline (as the experiments write them), so per-seed p-values can be pooled. <see cref="Baseline"/> null means
/// the arm row already is the delta (e.g. overall.csv's "system_a_tuned-vs-tfidf-lr"). <see cref="PaperSign"/>: +1 when
/// the paper reports a gain, −1 a loss, 0 when it makes no claim (then the share of seeds "with the paper's sign" is
/// not defined).
/// </summary>
public sealed record StudyDelta(string File, string Experiment, string Metric, string Arm, string? Baseline, int PaperSign, string Claim)
{
    public string Name => Baseline is null ? Arm : $"{Arm} - {Baseline}";
}

/// <summary>The deltas the papers' claims rest on (Lv et al. Figure 4, Figure 5, Table 2; Zhang et al. Table 3) and the headline comparison.</summary>
public static class StudyDeltas
{
    public static IReadOnlyList<StudyDelta> All { get; } =
    [
        new("primary.csv", "primary", "primary_accuracy", "confidence_retrieval", "baseline", +1, "Lv et al. Figure 4: confidence + retrieval beats the SFT baseline"),
        new("primary.csv", "primary", "primary_accuracy", "retrieval_only", "baseline", +1, "Figure 4: retrieval alone improves on the baseline"),
        new("primary.csv", "primary", "primary_accuracy", "confidence_only", "baseline", +1, "Figure 4: confidence alone improves on the baseline"),
        new("primary.csv", "primary_gate", "primary_accuracy", "confidence_retrieval@bf16", "baseline", +1, "Figure 4 with the gate as a bf16 model computes it"),
        new("ner.csv", "ner", "other_f1", "fine_tuned", "none", +1, "Lv et al. Figure 5: other-diagnosis score with fine-tuned NER entities vs no NER input (the same rows as Table 2's ensemble − direct)"),
        new("other.csv", "other", "other_f1", "with_ner", "direct", +1, "Lv et al. Table 2: NER-enhanced input beats direct input"),
        new("other.csv", "other", "other_f1", "ensemble", "direct", +1, "Table 2: the ensemble beats direct input (pooled > 7 of 16)"),
        new("other.csv", "other", "other_f1", "per_model_union", "direct", +1, "Table 2 with the voting rule as written (per model > 7 of 8, union)"),
        new("other.csv", "other", "other_f1", "with_ner_paper_order", "direct", +1, "Table 2 with Figure 3's prompt order"),
        new("overall.csv", "overall", "acc_f1", "system_a", "sft_baseline", +1, "the full pipeline beats its SFT baseline (Eq. 4)"),
        new("overall.csv", "overall", "acc_f1_delta", "system_a_tuned-vs-tfidf-lr", null, 0, "headline: does System A (as `icd predict` runs it) beat tfidf-lr? (no paper claim)"),
        new("overall.csv", "overall", "acc_f1_delta", "system_a-vs-tfidf-lr", null, 0, "System A with the pooled paper vote vs tfidf-lr (no paper claim)"),
        new("ccl_ablation.csv", "ccl_ablation", "micro_f1", "doc_evidence", "doc_codes", +1, "Zhang et al. Table 3 line 3 > line 2"),
        new("ccl_ablation.csv", "ccl_ablation", "micro_f1", "gold_spans", "doc_evidence", +1, "Table 3 line 4 > line 3"),
        new("ccl_ablation.csv", "ccl_ablation", "micro_f1", "silver_synthetic", "gold_spans", +1, "Table 3 line 5 > line 4"),
        new("ccl_ablation.csv", "ccl_ablation", "micro_f1", "silver_synthetic_equal_steps", "doc_evidence", +1, "Table 3 line 5 > line 3 at equal optimizer steps"),
        new("ccl_ablation.csv", "ccl_ablation", "macro_f1", "doc_evidence", "doc_codes", +1, "Table 3 line 3 > line 2 (macro-F1)"),
        new("ccl_ablation.csv", "ccl_ablation", "macro_f1", "gold_spans", "doc_evidence", +1, "Table 3 line 4 > line 3 (macro-F1)"),
        new("ccl_ablation.csv", "ccl_ablation", "macro_f1", "silver_synthetic", "gold_spans", +1, "Table 3 line 5 > line 4 (macro-F1)"),
        new("ccl_ablation.csv", "ccl_ablation", "macro_f1", "silver_synthetic_equal_steps", "doc_evidence", +1, "Table 3 line 5 > line 3 at equal optimizer steps (macro-F1)"),
    ];
}
