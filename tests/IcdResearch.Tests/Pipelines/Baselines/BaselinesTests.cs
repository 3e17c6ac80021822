using IcdResearch.Data;
using IcdResearch.Evaluation;
using IcdResearch.Pipelines.Baselines;
using IcdResearch.Retrieval;

namespace IcdResearch.Tests;

public class BaselinesTests
{
    static readonly Ccl25Dataset Data = Ccl25Dataset.Synthetic();
    static readonly DataSplit Split = Splits.Create(Data);

    static List<BaselineDocument> Raw(IEnumerable<string> ids) => ids.Select(id => BaselineDocument.FromRaw(Data.RawById[id])).ToList();

    static Ccl25Report Score(ICodingBaseline model)
    {
        model.Fit(Raw(Split.Train), Raw(Split.Dev));
        var test = Raw(Split.Test);
        return Ccl25Metrics.Evaluate(test.Select(d => d.Labels!).ToList(), test.Select(model.Predict).ToList(), resamples: 100);
    }

    [Fact]
    public void FrequencyPredictsTheMajorityCodesForEveryone()
    {
        var train = new List<BaselineDocument>
        {
            new("a", "", new("a", "P1", ["x", "y"])), new("b", "", new("b", "P1", ["x"])),
            new("c", "", new("c", "P2", ["y", "x", "z"])),
        };
        var model = new FrequencyBaseline();
        model.Fit(train);
        // P1 is the majority primary; mean other count 2 → the two most frequent others: x (3), y (2).
        Assert.Equal(new CodeAssignment("q", "P1", ["x", "y"]), model.Predict(new("q", "任何文本", null)));
    }

    [Fact]
    public void KnnCopiesTheNearestRecordsCodes()
    {
        var train = new List<BaselineDocument>
        {
            new("a", "高血压病3级极高危 头晕", new("a", "I10.x00x032", ["E11.900"])),
            new("b", "不稳定型心绞痛 胸痛", new("b", "I20.000", ["I25.103"])),
        };
        var model = new KnnBaseline();
        model.Fit(train);
        Assert.Equal(new CodeAssignment("q", "I20.000", ["I25.103"]), model.Predict(new("q", "胸痛三天，不稳定型心绞痛", null)));
    }

    [Fact]
    public void LogisticRegressionSeparatesASeparableProblem()
    {
        var docs = new[] { "甲甲甲", "甲甲乙", "乙乙乙", "乙乙甲" };
        var vectorizer = new TfidfVectorizer(1, 1);
        var x = vectorizer.FitTransform(docs);
        var y = new[] { new[] { true, false }, [true, false], [false, true], [false, true] };
        var model = new OneVsRestLogisticRegression(l2: 1e-4, iterations: 300).Fit(x, y, vectorizer.VocabularySize);
        for (var i = 0; i < docs.Length; i++)
        {
            var p = model.Probabilities(x[i]);
            Assert.True(y[i][0] ? p[0] > p[1] : p[1] > p[0], $"doc {i}: {p[0]:F3} vs {p[1]:F3}");
        }
        Assert.True(model.Probabilities(vectorizer.Transform("甲甲甲甲"))[0] > 0.7);
    }

    [Fact]
    public void LearnedBaselinesBeatChanceAndTheFrequencyBaselineOnSyntheticData()
    {
        var frequency = Score(new FrequencyBaseline());
        var knn = Score(new KnnBaseline());
        var tfidf = Score(new TfidfLogisticBaseline(iterations: 100));
        var chancePrimary = 1.0 / Data.PrimaryCodes.Count;
        Assert.True(knn.PrimaryAccuracy > 2 * chancePrimary, $"knn primary {knn.PrimaryAccuracy}");
        Assert.True(tfidf.PrimaryAccuracy > 2 * chancePrimary, $"tfidf-lr primary {tfidf.PrimaryAccuracy}");
        Assert.True(knn.AccF1 > frequency.AccF1 && tfidf.AccF1 > frequency.AccF1,
            $"acc_f1: frequency {frequency.AccF1:F3}, knn {knn.AccF1:F3}, tfidf-lr {tfidf.AccF1:F3}");
        Assert.True(tfidf.OtherF1 > frequency.OtherF1);
    }

    [Fact]
    public void ExperimentWritesRowsWithCisForEveryArm()
    {
        var rows = BaselineExperiment.Run(Data, Split, seed: 1);
        var arms = rows.Select(r => r.Arm).Distinct().ToList();
        Assert.Equal(["frequency", "knn", "tfidf-lr", "knn-entities", "tfidf-lr-entities"], arms);
        Assert.All(rows, r => Assert.Equal(Split.Test.Count, r.N));
        Assert.All(rows.Where(r => r.Metric == "acc_f1"), r => Assert.InRange(r.Value, r.CiLow, r.CiHigh));
        Assert.All(rows.Where(r => r.Metric == "acc_f1" && r.Arm != "frequency"), r => Assert.NotNull(r.PValue));
    }

    [Fact]
    public void FileModeReadsRawOrEntityFilesAndRequiresTrainingLabels()
    {
        var dir = TempFile.Dir();
        SyntheticSample.Write(dir);
        var raw = BaselineDocument.LoadFile(Path.Combine(dir, "ccl25", "train-raw.json"), LabelPolicy.Required);
        var entities = BaselineDocument.LoadFile(Path.Combine(dir, "ccl25", "train-entities.json"), LabelPolicy.Required);
        Assert.Equal(48, raw.Count);
        Assert.Equal(72, entities.Count);
        Assert.Contains("疾病：", entities[0].Text);
        var unlabelled = BaselineDocument.LoadFile(Path.Combine(dir, "ccl25", "test-a-raw.json"), LabelPolicy.Optional);
        Assert.Throws<ArgumentException>(() => new KnnBaseline().Fit(unlabelled));
    }
}
