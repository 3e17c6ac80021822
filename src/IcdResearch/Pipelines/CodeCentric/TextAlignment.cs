namespace IcdResearch.Pipelines.CodeCentric;

/// <summary>
/// Character alignment helpers used by the deterministic span miner and the synthetic-span rewriter: longest common
/// subsequence with the matched positions, so that every mined span is a verbatim window of the document.
/// </summary>
public static class TextAlignment
{
    /// <summary>Pairs (i in a, j in b) of one longest common subsequence of a and b, in increasing order.</summary>
    public static List<(int A, int B)> LcsPairs(string a, string b)
    {
        int n = a.Length, m = b.Length;
        var dp = new int[n + 1, m + 1];
        for (int i = n - 1; i >= 0; i--)
            for (int j = m - 1; j >= 0; j--)
                dp[i, j] = a[i] == b[j] ? dp[i + 1, j + 1] + 1 : Math.Max(dp[i + 1, j], dp[i, j + 1]);
        var pairs = new List<(int, int)>(dp[0, 0]);
        for (int i = 0, j = 0; i < n && j < m;)
        {
            if (a[i] == b[j]) { pairs.Add((i, j)); i++; j++; }
            else if (dp[i + 1, j] >= dp[i, j + 1]) i++;
            else j++;
        }
        return pairs;
    }

    /// <summary>Length of the longest common subsequence.</summary>
    public static int LcsLength(string a, string b) => LcsPairs(a, b).Count;

    /// <summary>
    /// The shortest window of <paramref name="text"/> that still contains a longest common subsequence with
    /// <paramref name="query"/>: (start, length, lcs). Greedy trimming from both ends of the first LCS window.
    /// </summary>
    public static (int Start, int Length, int Lcs) MinimalWindow(string query, string text)
    {
        var pairs = LcsPairs(query, text);
        if (pairs.Count == 0) return (0, 0, 0);
        int lcs = pairs.Count, start = pairs[0].B, end = pairs[^1].B + 1;
        while (end - start > lcs && LcsLength(query, text[(start + 1)..end]) == lcs) start++;
        while (end - start > lcs && LcsLength(query, text[start..(end - 1)]) == lcs) end--;
        return (start, end - start, lcs);
    }

    /// <summary>Dice coefficient of the character multisets' LCS: 2·LCS / (|a| + |b|), in [0, 1].</summary>
    public static double LcsDice(string a, string b) =>
        a.Length + b.Length == 0 ? 1 : 2.0 * LcsLength(a, b) / (a.Length + b.Length);
}
