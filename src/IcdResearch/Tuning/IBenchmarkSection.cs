namespace IcdResearch.Tuning;

/// <summary>
/// An extra section of <c>icd bench</c>'s JSON (e.g. the QLoRA bytes-per-parameter report). Implementations with a
/// public parameterless constructor in the library or CLI assembly are discovered by reflection and written under
/// <see cref="Name"/>; the section receives the model the benchmark uses.
/// </summary>
public interface IBenchmarkSection
{
    string Name { get; }

    object? Measure(Modeling.CausalLM model);
}
