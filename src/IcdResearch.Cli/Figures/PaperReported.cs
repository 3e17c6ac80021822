namespace IcdResearch.Cli.Figures;

/// <summary>
/// Numbers the system paper reports that the figures draw next to ours. Only numbers transcribed from the paper
/// belong here; everything else comes from results/.
/// </summary>
public static class PaperReported
{
    /// <summary>System paper Table 3: the CCL25-Eval Task 8 leaderboard (official test board, score in %), top five.</summary>
    public static readonly IReadOnlyList<(string Entry, double Score)> Table3Leaderboard =
    [
        ("Table 3 rank 1", 86.72),
        ("Table 3 rank 2", 83.42),
        ("Table 3 rank 3", 82.33),
        ("Table 3 rank 4", 81.59),
        ("Table 3 rank 5", 81.30),
    ];

    /// <summary>System paper Table 3: the organisers' official baseline (%).</summary>
    public const double OfficialBaseline = 41.34;
}
