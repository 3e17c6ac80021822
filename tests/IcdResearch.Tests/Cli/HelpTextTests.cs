using IcdResearch.Cli;

namespace IcdResearch.Tests;

/// <summary>Every command's --help: one short sentence first, details after, and one example of that command last.</summary>
public class HelpTextTests
{
    [Fact]
    public void EveryCommandStartsWithOneShortSentenceAndEndsWithAnExample()
    {
        var root = Program.BuildRoot();
        Assert.NotEmpty(root.Subcommands);
        foreach (var command in root.Subcommands.Prepend(root))
        {
            var lines = command.Description!.Split('\n');
            var name = command == root ? "" : command.Name + " ";
            Assert.True(lines.Length >= 3, $"{command.Name}: summary, details and example expected on separate lines");
            var first = lines[0];
            Assert.True(first.Length <= 120 && first.EndsWith('.'), $"{command.Name}: first line is not one short sentence: {first}");
            Assert.DoesNotContain(". ", first.Replace("e.g. ", ""));
            Assert.StartsWith($"Example: icd {name}", lines[^1]);
            Assert.Equal(1, lines.Count(l => l.StartsWith("Example:", StringComparison.Ordinal)));
        }
    }
}
