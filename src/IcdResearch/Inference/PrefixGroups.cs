using static TorchSharp.torch;

namespace IcdResearch.Inference;

/// <summary>
/// Which decoding rows continue which stored prompt (prefix), laid out for <see cref="Modeling.SharedPrefixAttention"/>:
/// the prefix part of attention runs on <see cref="Count"/> groups of <see cref="PerGroup"/> slots each. When the rows
/// are already in that layout (row i belongs to prefix i / PerGroup, as after expanding each prompt into the same
/// number of samples) both index tensors are null and the layout costs nothing; otherwise <see cref="RowOfSlot"/>
/// [Count·PerGroup] gathers rows into slots (a group with fewer rows repeats its first row; those slots are discarded)
/// and <see cref="SlotOfRow"/> [rows] scatters slot results back.
/// </summary>
internal sealed class PrefixGroups : IDisposable
{
    public int Count { get; }
    public int PerGroup { get; }
    public Tensor? RowOfSlot { get; }
    public Tensor? SlotOfRow { get; }

    PrefixGroups(int count, int perGroup, Tensor? rowOfSlot, Tensor? slotOfRow) =>
        (Count, PerGroup, RowOfSlot, SlotOfRow) = (count, perGroup, rowOfSlot, slotOfRow);

    /// <summary>The layout for rows whose prefixes are <paramref name="prefixOfRow"/> (each in [0, <paramref name="prefixes"/>), every prefix used).</summary>
    public static PrefixGroups For(IReadOnlyList<int> prefixOfRow, int prefixes, Device device)
    {
        var members = Enumerable.Range(0, prefixes).Select(_ => new List<int>()).ToArray();
        for (var row = 0; row < prefixOfRow.Count; row++) members[prefixOfRow[row]].Add(row);
        if (members.Any(m => m.Count == 0)) throw new ArgumentException("every prefix needs at least one row", nameof(prefixOfRow));
        var perGroup = members.Select(m => m.Count).DefaultIfEmpty(0).Max();
        var inLayout = members.All(m => m.Count == perGroup) && Enumerable.Range(0, prefixOfRow.Count).All(r => prefixOfRow[r] == r / perGroup);
        if (inLayout) return new PrefixGroups(prefixes, perGroup, null, null);
        var rowOfSlot = new long[prefixes * perGroup];
        var slotOfRow = new long[prefixOfRow.Count];
        for (var g = 0; g < prefixes; g++)
            for (var j = 0; j < perGroup; j++)
            {
                var row = members[g][j < members[g].Count ? j : 0];
                rowOfSlot[g * perGroup + j] = row;
                if (j < members[g].Count) slotOfRow[row] = g * perGroup + j;
            }
        return new PrefixGroups(prefixes, perGroup,
            tensor(rowOfSlot, device: device).DetachFromDisposeScope(), tensor(slotOfRow, device: device).DetachFromDisposeScope());
    }

    public void Dispose()
    {
        RowOfSlot?.Dispose();
        SlotOfRow?.Dispose();
    }
}
