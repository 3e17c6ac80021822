namespace IcdResearch.Tests;

/// <summary>
/// libtorch has one global CPU generator. Tests that assert bit-identical results after re-seeding or restoring the
/// RNG state (resume, determinism) join this collection: xunit runs it alone, after the parallel tests.
/// Usage: <c>[Collection(TorchRngCollection.Name)]</c>.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TorchRngCollection
{
    public const string Name = "torch-global-rng";
}
