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

    /// <summary>Seeds sampling, so it is reproducible: row i of a batch draws from its own generator seeded <c>Seed + i</c> (unless <see cref="Seeds"/> is set).</summary>
    public int Seed { get; init; } = 42;

    /// <summary>
    /// One seed per prompt; null means <c>Seed + i</c> for prompt i. A row's sample depends only on its prompt and its
    /// seed, not on the rest of the batch: the same prompt with the same seed gives the same tokens alone or in a batch.
    /// </summary>
    public IReadOnlyList<int>? Seeds { get; init; }

    /// <summary>One constraint per prompt (overrides <see cref="Constraint"/>), so prompts with different grammars share a batch.</summary>
    public IReadOnlyList<IDecodingConstraint?>? Constraints { get; init; }

    /// <summary>One token cap per prompt (each ≤ <see cref="MaxNewTokens"/>, the batch's cap); null means MaxNewTokens for every prompt.</summary>
    public IReadOnlyList<int>? RowMaxNewTokens { get; init; }

    /// <summary>Token ids that end a sequence; null means the tokenizer's <c>StopIds</c>.</summary>
    public IReadOnlyList<int>? StopIds { get; init; }

    /// <summary>Decode incrementally with a KV cache (otherwise the whole prefix is recomputed every step).</summary>
    public bool UseCache { get; init; } = true;

    /// <summary>Restricts outputs, e.g. to a set of allowed strings (<see cref="PrefixTrieConstraint"/>).</summary>
    public IDecodingConstraint? Constraint { get; init; }

    /// <summary>How many most probable tokens to record per step (<see cref="GeneratedSequence.TopAlternatives"/>); 0 = none.</summary>
    public int TopLogprobs { get; init; }

    public static GenerationOptions Greedy(int maxNewTokens = 64) => new() { MaxNewTokens = maxNewTokens };
}
