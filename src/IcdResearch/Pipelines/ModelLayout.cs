namespace IcdResearch.Pipelines;

/// <summary>
/// The one default layout of model folders, shared by `icd reproduce`, `icd ccl` and `icd predict`:
/// models/&lt;profile&gt;[-seed&lt;N&gt;]/ holds backbone/, System A's five fine-tuned models (primary, rejudge,
/// other_direct, other_ner, ner) with system-a.json, and ccl/&lt;arm&gt;/ for Code-Centric Learning's arms.
/// </summary>
public static class ModelLayout
{
    /// <summary>models/PROFILE for the default seed, models/PROFILE-seedN otherwise (so a seed study keeps every run's models).</summary>
    public static string Root(string profile, int seed) => Path.Combine("models", seed == 42 ? profile : $"{profile}-seed{seed}");

    public static string Backbone(string root) => Path.Combine(root, "backbone");

    public static string CodeCentricRuns(string root) => Path.Combine(root, "ccl");
}
