using System.CommandLine;
using IcdResearch.Data;

namespace IcdResearch.Cli.Commands;

/// <summary>Options shared by many commands, so they read and document the same way everywhere.</summary>
public static class CommonOptions
{
    public static Option<string?> Data() => new("--data")
    {
        Description = $"Dataset folder (ccl25/, codes/, chip-cdn/, qwen2-tokenizer/). Default: ${DataDirectory.EnvironmentVariable}, else ./data.",
    };

    public static Option<int> Seed(int defaultValue = 42) => new("--seed")
    {
        Description = "Random seed (every stochastic step is seeded from it).",
        DefaultValueFactory = _ => defaultValue,
    };

    public static Option<string> Out(string description, bool required = true) => new("--out")
    {
        Description = description,
        Required = required,
    };
}
