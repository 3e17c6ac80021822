namespace IcdResearch.Ner;

/// <summary>Entity-level precision / recall / F1 (exact span match, micro-averaged over documents), as CCKS-style NER is scored.</summary>
public sealed record EntityMetrics(int Gold, int Predicted, int Correct)
{
    public double Precision => Predicted == 0 ? 0 : (double)Correct / Predicted;
    public double Recall => Gold == 0 ? 0 : (double)Correct / Gold;
    public double F1 => Precision + Recall == 0 ? 0 : 2 * Precision * Recall / (Precision + Recall);

    /// <summary>Scores predicted spans against gold spans of the same documents (exact start and end).</summary>
    public static EntityMetrics Score(IReadOnlyList<IReadOnlyCollection<EntitySpan>> gold, IReadOnlyList<IReadOnlyCollection<EntitySpan>> predicted)
    {
        if (gold.Count != predicted.Count) throw new ArgumentException($"{gold.Count} gold documents but {predicted.Count} predicted.");
        int g = 0, p = 0, c = 0;
        for (var i = 0; i < gold.Count; i++)
        {
            var goldSet = gold[i].ToHashSet();
            var predSet = predicted[i].ToHashSet();
            g += goldSet.Count;
            p += predSet.Count;
            c += predSet.Count(goldSet.Contains);
        }
        return new EntityMetrics(g, p, c);
    }

    /// <summary>Per-document F1 (for bootstrap CIs and paired tests); a document with no gold and no predicted entities scores 1.</summary>
    public static double DocumentF1(IReadOnlyCollection<EntitySpan> gold, IReadOnlyCollection<EntitySpan> predicted)
    {
        if (gold.Count == 0 && predicted.Count == 0) return 1;
        var m = Score([gold], [predicted]);
        return m.F1;
    }
}
