namespace IcdResearch.Tests;

/// <summary>Tests that set process environment variables (read by code other tests run) run alone, after the parallel tests.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class EnvironmentCollection
{
    public const string Name = "process-environment";
}
