namespace IcdResearch.Figures;

/// <summary>
/// Numbers the system paper reports that the figures draw next to ours. Only numbers transcribed from the paper
/// belong here; everything else comes from results/.
/// </summary>
public static class PaperReported
{
    /// <summary>System paper Table 3: the CCL25-Eval Task 8 leaderboard (official test board, score in %), top five.</summary>
    public static readonly IReadOnlyList<LeaderboardEntry> Table3Leaderboard =
    [
        new("Table 3 rank 1", 86.72),
        new("Table 3 rank 2", 83.42),
        new("Table 3 rank 3", 82.33),
        new("Table 3 rank 4", 81.59),
        new("Table 3 rank 5", 81.30),
    ];

    /// <summary>System paper Table 3: the organisers' official baseline (%).</summary>
    public const double OfficialBaseline = 41.34;

    /// <summary>Table 3 with the official baseline as its last entry.</summary>
    public static IReadOnlyList<LeaderboardEntry> Table3WithBaseline => [.. Table3Leaderboard, new("official baseline", OfficialBaseline)];
}

/// <summary>One leaderboard line as the paper prints it (score in %).</summary>
public sealed record LeaderboardEntry(string Entry, double Score);
