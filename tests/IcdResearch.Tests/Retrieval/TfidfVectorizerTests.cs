using IcdResearch.Retrieval;

namespace IcdResearch.Tests;

public class TfidfVectorizerTests
{
    [Fact]
    public void CharNGramsCoverEveryLengthAndNormaliseSpacingAndCase()
    {
        Assert.Equal(["高", "血", "压", "高血", "血压"], TfidfVectorizer.CharNGrams("高血压", 1, 2));
        Assert.Equal(["a b", " bc"], TfidfVectorizer.CharNGrams("A \n BC", 3, 3));
        Assert.Equal(["𠀀字"], TfidfVectorizer.CharNGrams("𠀀字", 2, 2)); // a surrogate pair is one character
    }

    [Fact]
    public void WeightsFollowTheSmoothedIdfFormulaAndAreUnitLength()
    {
        var docs = new[] { "甲乙", "甲丙", "甲" };
        var v = new TfidfVectorizer(minN: 1, maxN: 1, sublinearTf: false).Fit(docs);
        Assert.Equal(3, v.VocabularySize);
        // idf = ln((1+N)/(1+df)) + 1 with N = 3: 甲 df 3 → 1; 乙 df 1 → ln 2 + 1.
        Assert.Equal(1.0, v.Idf(v.IndexOf("甲")), 6);
        Assert.Equal(Math.Log(2) + 1, v.Idf(v.IndexOf("乙")), 6);
        var x = v.Transform("甲乙乙");
        Assert.Equal(1.0, x.Norm(), 6);
        // raw tf: 甲 1·1, 乙 2·(ln2+1); normalised ratio must be preserved.
        var ratio = x.Values[Array.IndexOf(x.Indices, v.IndexOf("乙"))] / x.Values[Array.IndexOf(x.Indices, v.IndexOf("甲"))];
        Assert.Equal(2 * (Math.Log(2) + 1), ratio, 4);
        Assert.Equal(0, v.Transform("丁").Count); // out-of-vocabulary only → zero vector
    }

    [Fact]
    public void MinDfAndMaxFeaturesPruneTheVocabularyDeterministically()
    {
        var docs = new[] { "abc", "abd", "abe" };
        var pruned = new TfidfVectorizer(1, 1, minDf: 2).Fit(docs);
        Assert.Equal(2, pruned.VocabularySize); // a, b
        var top = new TfidfVectorizer(1, 2, maxFeatures: 3).Fit(docs);
        Assert.Equal(3, top.VocabularySize);
        Assert.True(top.IndexOf("a") >= 0 && top.IndexOf("b") >= 0 && top.IndexOf("ab") >= 0);
    }

    [Fact]
    public void SparseDotMatchesDenseDot()
    {
        var a = new SparseVector([0, 3, 7], [1f, 2f, 3f]);
        var b = new SparseVector([3, 5, 7, 9], [4f, 5f, 6f, 7f]);
        Assert.Equal(2 * 4 + 3 * 6, a.Dot(b), 6);
        Assert.Equal(a.Dot(b), b.Dot(a), 9);
    }
}
