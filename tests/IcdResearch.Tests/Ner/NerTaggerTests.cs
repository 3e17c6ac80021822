using IcdResearch.Ner;
using IcdResearch.Pipelines.SystemA;

namespace IcdResearch.Tests;

public class NerTaggerTests
{
    [Fact]
    public void SpansMapBackToTheFullTextAcrossSegments()
    {
        const string text = "既往2型糖尿病多年。否认冠心病。现有心房颤动[待查]。";
        var tagger = new NerTagger(new FakeModelBackend.FakeGenerator("ner"), segmentChars: 10, batchSize: 2);
        var spans = tagger.Tag(text);
        Assert.Equal(["2型糖尿病", "冠心病", "心房颤动"], spans.Select(s => s.Of(text)));
    }

    [Fact]
    public void UnfaithfulCopiesAreRealignedToTheSource()
    {
        var spans = NerTagger.SpansIn("患者有高血压病史", "有[高血压病]史");
        Assert.Equal([new EntitySpan(3, 7)], spans);
    }
}
