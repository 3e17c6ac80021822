using IcdResearch.Inference.Constraints;

namespace IcdResearch.Inference;

/// <summary>Decoding settings. Greedy unless <see cref="Temperature"/> &gt; 0 and <see cref="DoSample"/>.</summary>
public sealed record GenerationOptions
{
    public int MaxNewTokens { get; init; } = 64;

    /// <summary>Sample from the (temperature-scaled, top-p filtered) distribution instead of taking the argmax.</summary>
    public bool DoSample { get; init; }

    public double Temperature { get; init; } = 1.0;

    /// <summary>Nucleus sampling: keep the smallest set of most probable tokens whose mass reaches TopP.</summary>
    public double TopP { get; init; } = 1.0;

    /// <summary>Seeds the sampler's own generator, so sampling is reproducible.</summary>
    public int Seed { get; init; } = 42;

    /// <summary>Token ids that end a sequence; null means the tokenizer's <c>StopIds</c>.</summary>
    public IReadOnlyList<int>? StopIds { get; init; }

    /// <summary>Decode incrementally with a KV cache (otherwise the whole prefix is recomputed every step).</summary>
    public bool UseCache { get; init; } = true;

    /// <summary>Restricts outputs, e.g. to a set of allowed strings (<see cref="PrefixTrieConstraint"/>).</summary>
    public IDecodingConstraint? Constraint { get; init; }

    public static GenerationOptions Greedy(int maxNewTokens = 64) => new() { MaxNewTokens = maxNewTokens };
}
