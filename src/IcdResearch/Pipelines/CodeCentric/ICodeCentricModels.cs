namespace IcdResearch.Pipelines.CodeCentric;

/// <summary>A model the CCL experiment can query: greedy answers to user prompts, optionally continuing a forced answer prefix.</summary>
public interface ICodeCentricModel
{
    /// <summary>
    /// Greedy answers, one per prompt. <paramref name="answerPrefixes"/> (same length, entries may be null) are written
    /// into the assistant turn before generation and are not part of the returned text (used for "+ human evidence").
    /// </summary>
    IReadOnlyList<string> Generate(IReadOnlyList<string> prompts, IReadOnlyList<string?>? answerPrefixes, int maxNewTokens);

    /// <summary>Greedy answers restricted to one of <paramref name="allowed"/> (prefix-trie constrained decoding).</summary>
    IReadOnlyList<string> GenerateRestricted(IReadOnlyList<string> prompts, IReadOnlyList<string> allowed, int maxNewTokens);
}

/// <summary>Cost of one training run, for the training-efficiency comparison (CCL paper Table 2).</summary>
public sealed record TrainingCost(int Examples, long TokensPerEpoch, double SecondsPerEpoch, int Epochs, double FinalLoss)
{
    /// <summary>Optimizer steps taken (0 when not recorded, e.g. a cost file from an older run).</summary>
    public int OptimizerSteps { get; init; }
    public double SecondsTotal => SecondsPerEpoch * Epochs;
}

/// <summary>
/// Where CCL gets its models: the backbone (zero-shot, Table 3 line 1) and models fine-tuned on an arm's examples.
/// The default implementation fine-tunes the project's backbone with the SFT trainer; tests can supply a stand-in.
/// </summary>
public interface ICodeCentricModels
{
    ICodeCentricModel Backbone();

    /// <summary>Fine-tunes a fresh copy of the backbone on the examples (resuming/reusing a finished run named <paramref name="arm"/>)
    /// for <paramref name="epochs"/> passes (null = the options' epochs).</summary>
    (ICodeCentricModel Model, TrainingCost Cost) Train(string arm, IReadOnlyList<(string Prompt, string Answer)> examples, int? epochs = null);
}
