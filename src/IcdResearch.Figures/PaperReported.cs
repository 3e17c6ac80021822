using IcdResearch.Evaluation;

namespace IcdResearch.Figures;

/// <summary>
/// Every number the two reproduced papers print that a table, figure or the reproduce summary puts next to ours —
/// the one place in code that holds them (transcribed in ../shared/papers/reported-numbers.md). Paper A = Lv et al.,
/// CCL25-Eval Task 8 system report; paper B = Zhang et al., "From Documents to Spans: Code-Centric Learning".
/// <para>One scale (paper-repro.md, top): every value is also given as a rate in [0, 1], the scale of results/*.csv.
/// Paper A's Figure 4 and Table 2 print the two <b>halves</b> of Lv et al. Eq. 4, each out of 50
/// (45.99 + 37.43 = 83.42, the team's final score), so their rate is printed / 50; percentages are printed / 100.</para>
/// </summary>
public static class PaperReported
{
    /// <summary>Paper A, Figure 4: primary-diagnosis half of Lv et al. Eq. 4 with confidence + retrieval (the best of its 4 arms), test board.
    /// The other three arms' bar values are not printed in the paper's text.</summary>
    public static readonly PaperValue Figure4ConfidenceRetrieval =
        new("A", "Figure 4", "confidence_retrieval", "test", "primary_accuracy", 45.99, PaperScale.HalfOfEq4);

    /// <summary>Paper A, Table 2: the other-diagnosis half of Lv et al. Eq. 4 (out of 50), validation (A board) and test (B board).</summary>
    public static readonly IReadOnlyList<PaperValue> Table2Other =
    [
        new("A", "Table 2", "direct", "dev", "other_f1", 36.11, PaperScale.HalfOfEq4),
        new("A", "Table 2", "direct", "test", "other_f1", 35.42, PaperScale.HalfOfEq4),
        new("A", "Table 2", "with_ner", "dev", "other_f1", 36.75, PaperScale.HalfOfEq4),
        new("A", "Table 2", "with_ner", "test", "other_f1", 35.86, PaperScale.HalfOfEq4),
        new("A", "Table 2", "ensemble", "dev", "other_f1", 38.30, PaperScale.HalfOfEq4),
        new("A", "Table 2", "ensemble", "test", "other_f1", 37.43, PaperScale.HalfOfEq4),
    ];

    /// <summary>Paper A's final score (Table 3, rank 2) = Figure 4's 45.99 + Table 2's ensemble test 37.43.</summary>
    public static readonly PaperValue FinalScore = new("A", "Table 3 (rank 2) = Figure 4 + Table 2", "system_a", "test", "acc_recall", 83.42, PaperScale.Percent);

    /// <summary>Paper A, Table 3: the CCL25-Eval Task 8 leaderboard (official B board, 485 records, organisers' score in %), top five.</summary>
    public static readonly IReadOnlyList<LeaderboardEntry> Table3Leaderboard =
    [
        new("Table 3 rank 1", 86.72),
        new("Table 3 rank 2 (paper A's team)", 83.42),
        new("Table 3 rank 3", 82.33),
        new("Table 3 rank 4", 81.59),
        new("Table 3 rank 5", 81.30),
    ];

    /// <summary>The organisers' official baseline (%), from the CCL25-Eval Task 8 task page — not from paper A.</summary>
    public const double OfficialBaseline = 41.34;

    /// <summary>Table 3 with the organisers' baseline as its last entry.</summary>
    public static IReadOnlyList<LeaderboardEntry> Table3WithBaseline => [.. Table3Leaderboard, new("official baseline (organisers' task page)", OfficialBaseline)];

    /// <summary>Paper B, Table 3 (ablation, MDACE, Llama3.1-8B; %): lines 1–5, named as our arms.</summary>
    public static readonly IReadOnlyList<PaperValue> CclTable3 = Ccl("Table 3", [
        ("zero_shot", 26.5, 9.1, 20.2, 38.9),
        ("doc_codes", 42.3, 17.0, 37.8, 48.2),
        ("doc_evidence", 49.7, 21.4, 47.0, 52.8),
        ("gold_spans", 53.4, 25.2, 57.2, 50.1),
        ("silver_synthetic", 59.3, 35.2, 56.4, 62.5),
    ]);

    /// <summary>Paper B, Table 1 (MDACE; %): its CCL rows and the "+ human evidence" oracle rows, Llama3.1-8B and Qwen3-4B.</summary>
    public static readonly IReadOnlyList<PaperValue> CclTable1 =
    [
        .. Ccl("Table 1, Llama3.1-8B", [("silver_synthetic", 59.3, 35.2, 56.4, 62.5), ("human_evidence", 78.0, 54.8, 73.5, 83.0), ("sft", 57.4, 34.5, 60.1, 55.0)]),
        .. Ccl("Table 1, Qwen3-4B", [("silver_synthetic", 57.7, 31.4, 50.6, 67.5), ("human_evidence", 77.4, 53.2, 71.7, 84.0), ("sft", 56.6, 29.0, 50.1, 65.1)]),
    ];

    /// <summary>Paper B, Table 4 (evidence quality, %): recall and F1 of generated evidence.</summary>
    public static readonly IReadOnlyList<PaperValue> CclTable4 =
    [
        new("B", "Table 4 (100k documents)", "doc_codes", "test", "evidence_recall", 0, PaperScale.Percent),
        new("B", "Table 4 (100k documents)", "doc_codes", "test", "evidence_f1", 0, PaperScale.Percent),
        new("B", "Table 4 (200 evidence documents)", "doc_evidence", "test", "evidence_recall", 70.0, PaperScale.Percent),
        new("B", "Table 4 (200 evidence documents)", "doc_evidence", "test", "evidence_f1", 66.0, PaperScale.Percent),
        new("B", "Table 4 (200 documents + 150k spans)", "silver_synthetic", "test", "evidence_recall", 74.0, PaperScale.Percent),
        new("B", "Table 4 (200 documents + 150k spans)", "silver_synthetic", "test", "evidence_f1", 67.0, PaperScale.Percent),
    ];

    /// <summary>Paper B, Table 2 (training cost): hours per epoch and in total, document-level SFT vs CCL.</summary>
    public static readonly IReadOnlyList<PaperValue> CclTable2 =
    [
        new("B", "Table 2 (SFT, 100k documents)", "document_level", "train", "hours_per_epoch", 70, PaperScale.Count),
        new("B", "Table 2 (SFT, 100k documents)", "document_level", "train", "hours_total", 210, PaperScale.Count),
        new("B", "Table 2 (CCL, 200 documents + 150k spans)", "mixed", "train", "hours_per_epoch", 4, PaperScale.Count),
        new("B", "Table 2 (CCL, 200 documents + 150k spans)", "mixed", "train", "hours_total", 40, PaperScale.Count),
    ];

    /// <summary>Paper B, Appendix C (CCL scaling, MDACE, %): backbone → micro-F1 / macro-F1 / recall / precision.</summary>
    public static readonly IReadOnlyList<PaperValue> CclAppendixCScaling = Ccl("Appendix C", [
        ("Qwen2.5-0.5B", 31.8, 10.6, 24.9, 44.2),
        ("Llama-3.2-1B", 40.8, 16.0, 35.2, 48.6),
        ("Qwen2.5-1.5B", 50.6, 24.1, 45.0, 57.8),
        ("Llama-3.2-3B", 53.2, 26.0, 47.4, 60.6),
        ("Qwen2.5-7B", 54.2, 27.4, 48.6, 61.2),
    ]);

    /// <summary>Parameters (billions) of the Appendix C backbones, for a size axis.</summary>
    public static readonly IReadOnlyDictionary<string, double> AppendixCParametersBillions = new Dictionary<string, double>
    {
        ["Qwen2.5-0.5B"] = 0.5, ["Llama-3.2-1B"] = 1.0, ["Qwen2.5-1.5B"] = 1.5, ["Llama-3.2-3B"] = 3.0, ["Qwen2.5-7B"] = 7.0,
    };

    /// <summary>Every printed value above, for lookups by (source, arm, split, metric).</summary>
    public static IReadOnlyList<PaperValue> All =>
    [
        Figure4ConfidenceRetrieval, .. Table2Other, FinalScore,
        .. Table3Leaderboard.Select(e => new PaperValue("A", "Table 3", e.Entry, "test", "acc_recall", e.Score, PaperScale.Percent)),
        new("A", "organisers' task page", "official_baseline", "test", "acc_recall", OfficialBaseline, PaperScale.Percent),
        .. CclTable3, .. CclTable1, .. CclTable4, .. CclTable2, .. CclAppendixCScaling,
    ];

    /// <summary>The paper's value for one of our arms (null when the paper prints none).</summary>
    public static PaperValue? For(IEnumerable<PaperValue> values, string arm, string split, string metric)
        => values.FirstOrDefault(v => v.Arm == arm && v.Split == split && v.Metric == metric);

    /// <summary>Paper values as result rows (split "paper: SOURCE"), to draw next to ours on the same rate scale.</summary>
    public static List<ResultRow> AsRows(IEnumerable<PaperValue> values, string experiment, Func<PaperValue, string>? split = null)
        => values.Select(v => new ResultRow
        {
            Experiment = experiment, Arm = v.Arm, Split = split?.Invoke(v) ?? $"paper {v.Paper} ({v.Split})", N = 0, Metric = v.Metric,
            Value = v.Rate, Note = $"{v.Source}: printed {v.Printed} ({v.Scale.Describe()})",
        }).ToList();

    static IReadOnlyList<PaperValue> Ccl(string source, IReadOnlyList<(string Arm, double Micro, double Macro, double Recall, double Precision)> rows)
        => rows.SelectMany(r => new PaperValue[]
        {
            new("B", source, r.Arm, "test", "micro_f1", r.Micro, PaperScale.Percent),
            new("B", source, r.Arm, "test", "macro_f1", r.Macro, PaperScale.Percent),
            new("B", source, r.Arm, "test", "micro_recall", r.Recall, PaperScale.Percent),
            new("B", source, r.Arm, "test", "micro_precision", r.Precision, PaperScale.Percent),
        }).ToList();
}

/// <summary>How a paper printed a number: a half of Lv et al. Eq. 4 (out of 50), a percentage, or a plain count/duration.</summary>
public enum PaperScale { HalfOfEq4, Percent, Count }

public static class PaperScales
{
    /// <summary>The printed value as a rate in [0, 1] (counts stay as printed).</summary>
    public static double ToRate(this PaperScale scale, double printed) => scale switch
    {
        PaperScale.HalfOfEq4 => printed / 50,
        PaperScale.Percent => printed / 100,
        _ => printed,
    };

    public static string Describe(this PaperScale scale) => scale switch
    {
        PaperScale.HalfOfEq4 => "half of Eq. 4, out of 50",
        PaperScale.Percent => "%",
        _ => "as printed",
    };
}

/// <summary>One printed number: which paper (A or B), where (table/figure), the arm/split/metric it mirrors here, and its value.</summary>
public sealed record PaperValue(string Paper, string Source, string Arm, string Split, string Metric, double Printed, PaperScale Scale)
{
    /// <summary>The value on the rate scale of results/*.csv.</summary>
    public double Rate => Scale.ToRate(Printed);
}

/// <summary>One leaderboard line as the paper prints it (score in %).</summary>
public sealed record LeaderboardEntry(string Entry, double Score);
