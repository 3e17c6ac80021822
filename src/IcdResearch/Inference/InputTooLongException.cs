namespace IcdResearch.Inference;

/// <summary>
/// A prompt the model cannot read: it has at least as many tokens as the model has positions
/// (<c>max_position_embeddings</c>), so nothing it says fits and no answer can follow. Callers that predict many
/// records treat it as a problem of that record's text, not of the model.
/// </summary>
public sealed class InputTooLongException(int promptIndex, int tokens, int limit) : ArgumentException(
    $"prompt {promptIndex} has {tokens:N0} tokens, more than the model's context of {limit:N0} positions (max_position_embeddings) leaves room for")
{
    public int PromptIndex { get; } = promptIndex;
    public int Tokens { get; } = tokens;
    public int Limit { get; } = limit;
}
