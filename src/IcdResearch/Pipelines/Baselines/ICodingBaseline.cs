using IcdResearch.Data;

namespace IcdResearch.Pipelines.Baselines;

/// <summary>A baseline coder: fit on labelled documents (optionally tuning on held-out ones), then predict primary + other codes.</summary>
public interface ICodingBaseline
{
    string Name { get; }

    /// <summary>Fits on <paramref name="train"/>; <paramref name="tune"/> (never the test part) is used for any tuned setting, if the method has one.</summary>
    void Fit(IReadOnlyList<BaselineDocument> train, IReadOnlyList<BaselineDocument>? tune = null);

    CodeAssignment Predict(BaselineDocument document);
}
