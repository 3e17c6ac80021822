namespace IcdResearch.Inference.Constraints;

/// <summary>
/// A finite-state restriction on generated token sequences. States are small integers; <see cref="Generator"/>
/// keeps one state per sequence and masks every token outside <see cref="AllowedTokens"/> (stop tokens are allowed
/// only where <see cref="CanStop"/>).
/// </summary>
public interface IDecodingConstraint
{
    int Start { get; }
    IReadOnlyList<int> AllowedTokens(int state);
    bool CanStop(int state);
    int Advance(int state, int token);
}
