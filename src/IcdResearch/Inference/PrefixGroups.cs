namespace IcdResearch.Inference;

/// <summary>
/// The rows of a decode step grouped by the stored prompt they continue (<see cref="SharedPrefixCache"/>): prompt u's
/// rows are <c>Members[Starts[u] .. Starts[u+1])</c>, in row order. Both arrays live on the pinned object heap, so the
/// decode threads read them through pointers (<see cref="Modeling.SharedPrefixAttention"/>).
/// </summary>
internal sealed class PrefixGroups
{
    public int Count { get; }
    public int[] Members { get; }
    public int[] Starts { get; }

    PrefixGroups(int count, int[] members, int[] starts) => (Count, Members, Starts) = (count, members, starts);

    /// <param name="prefixOfRow">The prompt each row continues.</param>
    /// <param name="prefixes">The number of stored prompts; each needs at least one row.</param>
    public static PrefixGroups For(IReadOnlyList<int> prefixOfRow, int prefixes)
    {
        var starts = GC.AllocateArray<int>(prefixes + 1, pinned: true);
        foreach (var prefix in prefixOfRow)
        {
            if (prefix < 0 || prefix >= prefixes) throw new ArgumentException($"row continues prompt {prefix} of {prefixes}", nameof(prefixOfRow));
            starts[prefix + 1]++;
        }
        for (var u = 0; u < prefixes; u++)
        {
            if (starts[u + 1] == 0) throw new ArgumentException($"prompt {u} has no row", nameof(prefixOfRow));
            starts[u + 1] += starts[u];
        }
        var members = GC.AllocateArray<int>(Math.Max(1, prefixOfRow.Count), pinned: true);
        var next = starts[..prefixes];
        for (var row = 0; row < prefixOfRow.Count; row++) members[next[prefixOfRow[row]]++] = row;
        return new PrefixGroups(prefixes, members, starts);
    }
}
