using IcdResearch.Inference;
using IcdResearch.Modeling;
using static TorchSharp.torch;

namespace IcdResearch.Tests;

public class PrefixGroupsTests
{
    [Fact]
    public void RowsAlreadyGroupedNeedNoIndices()
    {
        TorchRuntime.EnsureLoaded();
        using var groups = PrefixGroups.For([0, 0, 0, 1, 1, 1], 2, CPU);
        Assert.Equal((2, 3), (groups.Count, groups.PerGroup));
        Assert.Null(groups.RowOfSlot);
        Assert.Null(groups.SlotOfRow);
    }

    [Fact]
    public void UnevenOrInterleavedRowsAreGatheredIntoPaddedSlotsAndScatteredBack()
    {
        TorchRuntime.EnsureLoaded();
        // Rows 0 and 2 continue prompt 1, rows 1, 3 and 4 prompt 0: 2 groups of 3 slots, prompt 1's third slot padded.
        int[] prefixOfRow = [1, 0, 1, 0, 0];
        using var groups = PrefixGroups.For(prefixOfRow, 2, CPU);
        Assert.Equal((2, 3), (groups.Count, groups.PerGroup));
        var rowOfSlot = groups.RowOfSlot!.data<long>().ToArray();
        var slotOfRow = groups.SlotOfRow!.data<long>().ToArray();
        Assert.Equal(6, rowOfSlot.Length);
        for (var slot = 0; slot < rowOfSlot.Length; slot++) Assert.Equal(slot / 3, prefixOfRow[rowOfSlot[slot]]);   // a slot holds a row of its group
        for (var row = 0; row < prefixOfRow.Length; row++)
        {
            Assert.Equal(row, rowOfSlot[slotOfRow[row]]);                 // scattering back finds the row's own slot
            Assert.Equal(prefixOfRow[row], (int)slotOfRow[row] / 3);
        }
        Assert.Equal(prefixOfRow.Length, slotOfRow.Distinct().Count());
        Assert.Throws<ArgumentException>(() => PrefixGroups.For([0, 0], 2, CPU));   // prompt 1 has no row
    }
}
