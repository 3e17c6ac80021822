using IcdResearch.Retrieval;

namespace IcdResearch.Tests;

public class CosineIndexTests
{
    [Fact]
    public void FindsTheMostSimilarDocumentFirst()
    {
        var docs = new[] { "冠心病不稳定型心绞痛", "高血压病3级极高危", "慢性心力衰竭急性加重", "急性非ST段抬高型心肌梗死" };
        var vectorizer = new TfidfVectorizer(1, 2).Fit(docs);
        var index = CosineIndex.Build(vectorizer, docs);
        var hits = index.Search(vectorizer.Transform("高血压3级"), k: 2);
        Assert.Equal(1, hits[0].Index);
        Assert.True(hits[0].Score > hits[1].Score);
        Assert.Equal(0, index.Search(vectorizer.Transform(docs[0]), 1)[0].Index);
        Assert.Equal(1.0, index.Search(vectorizer.Transform(docs[0]), 1)[0].Score, 5);
    }

    [Fact]
    public void ScoresAreCosinesAndFiltersExcludeItems()
    {
        var index = new CosineIndex([new SparseVector([0], [2f]), new SparseVector([0, 1], [1f, 1f]), new SparseVector([1], [5f])]);
        var sims = index.Similarities(new SparseVector([0], [1f]));
        Assert.Equal(1.0, sims[0], 6);
        Assert.Equal(1 / Math.Sqrt(2), sims[1], 6); // float storage: 6 decimals
        Assert.Equal(0.0, sims[2], 6);
        var hits = index.Search(new SparseVector([0], [1f]), k: 5, include: i => i != 0);
        Assert.Equal([1, 2], hits.Select(h => h.Index));
    }
}
