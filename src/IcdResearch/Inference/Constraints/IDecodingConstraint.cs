namespace IcdResearch.Inference.Constraints;

/// <summary>
/// A finite-state restriction on generated token sequences. States are small integers; <see cref="Generator"/>
/// keeps one state per sequence and masks every token outside <see cref="AllowedTokens"/> (stop tokens are allowed
/// only where <see cref="CanStop"/>).
/// </summary>
public interface IDecodingConstraint
{
    int Start { get; }
    /// <summary>The tokens allowed in <paramref name="state"/>. The list must not change afterwards: the generator collects
    /// every row's list of a step before choosing the rows' tokens (in parallel).</summary>
    IReadOnlyList<int> AllowedTokens(int state);
    bool CanStop(int state);
    int Advance(int state, int token);
}
