namespace IcdResearch.Tests;

/// <summary>Tests that redirect Console (to run `icd` commands in-process) run alone, not in parallel with others.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ConsoleCollection
{
    public const string Name = "Console";
}
