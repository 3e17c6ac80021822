using IcdResearch.Inference;

namespace IcdResearch.Tests;

public class PrefixGroupsTests
{
    [Fact]
    public void RowsAreListedPromptByPromptInRowOrder()
    {
        // Rows 0 and 2 continue prompt 1, rows 1, 3 and 4 prompt 0.
        var groups = PrefixGroups.For([1, 0, 1, 0, 0], 2);
        Assert.Equal(2, groups.Count);
        Assert.Equal([0, 3, 5], groups.Starts);
        Assert.Equal([1, 3, 4, 0, 2], groups.Members);
        var grouped = PrefixGroups.For([0, 0, 0, 1, 1, 1], 2);
        Assert.Equal([0, 3, 6], grouped.Starts);
        Assert.Equal([0, 1, 2, 3, 4, 5], grouped.Members);
    }

    [Fact]
    public void EveryPromptNeedsARowAndEveryRowAStoredPrompt()
    {
        Assert.Throws<ArgumentException>(() => PrefixGroups.For([0, 0], 2));   // prompt 1 has no row
        Assert.Throws<ArgumentException>(() => PrefixGroups.For([0, 2], 2));   // prompt 2 is not stored
    }
}
