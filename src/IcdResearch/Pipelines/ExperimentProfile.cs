using IcdResearch.Pipelines.CodeCentric;
using IcdResearch.Pipelines.SystemA;

namespace IcdResearch.Pipelines;

/// <summary>
/// The one profile registry: what `--profile smoke|quick|default` means for every command — System A's sizes
/// (including the backbone preset it pretrains) and Code-Centric Learning's, which trains on the same backbone.
/// </summary>
public sealed record ExperimentProfile(string Name, SystemAProfile SystemA, CodeCentricOptions CodeCentric)
{
    public static ExperimentProfile Smoke { get; } = new("smoke", SystemAProfile.Smoke, CodeCentricOptions.Smoke);
    public static ExperimentProfile Quick { get; } = new("quick", SystemAProfile.Quick, CodeCentricOptions.Default with { Profile = "quick" });
    public static ExperimentProfile Default { get; } = new("default", SystemAProfile.Default, CodeCentricOptions.Default);

    public static IReadOnlyList<string> Names { get; } = ["smoke", "quick", "default"];

    public static ExperimentProfile Named(string name) => name switch
    {
        "smoke" => Smoke,
        "quick" => Quick,
        "default" => Default,
        _ => throw new ArgumentException($"unknown profile '{name}' (smoke, quick or default)"),
    };
}
