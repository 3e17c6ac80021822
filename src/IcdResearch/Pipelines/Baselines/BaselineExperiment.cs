using IcdResearch.Data;
using IcdResearch.Evaluation;
using IcdResearch.Progress;

namespace IcdResearch.Pipelines.Baselines;

/// <summary>
/// The baseline peers on the documented split (paper-repro.md §1): each arm is fit on the training parts, tuned (if at
/// all) on dev, and scored on test with <see cref="Ccl25Metrics"/>. Arms:
/// frequency (labels of train ∪ train_entities); knn and tfidf-lr on the notes (train raw records, query = test note);
/// knn-entities and tfidf-lr-entities on the entity view (train ∪ train_entities, query = the test record's entity view).
/// acc_f1 rows carry the paired-bootstrap p-value against the frequency arm.
/// </summary>
public static class BaselineExperiment
{
    public const string ExperimentName = "baselines";

    /// <summary>One arm's predictions on the test part with its report.</summary>
    public sealed record ArmResult(string Arm, IReadOnlyList<CodeAssignment> Predictions, Ccl25Report Report);

    public static List<ResultRow> Run(Ccl25Dataset data, DataSplit split, int seed = 42, string? predictionsDir = null, Action<string>? log = null) =>
        ToRows(RunArms(data, split, seed, log), split, seed, predictionsDir);

    public static List<ArmResult> RunArms(Ccl25Dataset data, DataSplit split, int seed = 42, Action<string>? log = null)
    {
        split.Validate(data);
        BaselineDocument Raw(string id) => BaselineDocument.FromRaw(data.RawById[id]);
        BaselineDocument Ent(string id) => BaselineDocument.FromEntities(data.EntitiesById[id]);
        var rawTrain = split.Train.Select(Raw).ToList();
        var rawDev = split.Dev.Select(Raw).ToList();
        var rawTest = split.Test.Select(Raw).ToList();
        var entTrain = split.Train.Concat(split.TrainEntities).Select(Ent).ToList();
        var entDev = split.Dev.Select(Ent).ToList();
        var entTest = split.Test.Select(Ent).ToList();
        var gold = split.Test.Select(id => data.LabelsById[id]).ToList();

        var arms = new (string Arm, ICodingBaseline Model, List<BaselineDocument> Train, List<BaselineDocument> Dev, List<BaselineDocument> Test)[]
        {
            ("frequency", new FrequencyBaseline(), entTrain, entDev, entTest),
            ("knn", new KnnBaseline(), rawTrain, rawDev, rawTest),
            ("tfidf-lr", new TfidfLogisticBaseline(seed), rawTrain, rawDev, rawTest),
            ("knn-entities", new KnnBaseline(), entTrain, entDev, entTest),
            ("tfidf-lr-entities", new TfidfLogisticBaseline(seed), entTrain, entDev, entTest),
        };
        var results = new List<ArmResult>();
        WorkProgress.Run("baselines", arms.Length, "arms", progress =>
        {
            foreach (var (arm, model, train, dev, test) in arms)
            {
                log?.Invoke($"{arm}: fitting on {train.Count} records, tuning on {dev.Count}, predicting {test.Count}");
                model.Fit(train, dev);
                var predictions = test.Select(model.Predict).ToList();
                results.Add(new ArmResult(arm, predictions, Ccl25Metrics.Evaluate(gold, predictions, seed)));
                progress.Advance(figure: $"{arm} acc_f1 {results[^1].Report.AccF1:0.000}");
            }
        });
        return results;
    }

    static List<ResultRow> ToRows(List<ArmResult> arms, DataSplit split, int seed, string? predictionsDir)
    {
        var rows = new List<ResultRow>();
        var reference = arms.First(a => a.Arm == "frequency").Report.Records.Select(r => r.AccF1).ToList();
        foreach (var (arm, predictions, report) in arms)
        {
            if (predictionsDir is not null) SubmissionFormat.Write(Path.Combine(predictionsDir, $"{arm}.json"), predictions);
            var perRecord = report.Records;
            ResultRow Row(string metric, double value, IReadOnlyList<double>? scores = null, double? p = null)
            {
                var (low, high) = scores is null ? (double.NaN, double.NaN) : Bootstrap.MeanCi(scores, seed);
                return new ResultRow
                {
                    Experiment = ExperimentName, Arm = arm, Split = $"{split.Name}/test", N = report.N, Metric = metric,
                    Value = value, CiLow = low, CiHigh = high, PValue = p,
                    Note = p is null ? null : "p: paired bootstrap vs frequency",
                };
            }
            var accF1 = perRecord.Select(r => r.AccF1).ToList();
            double? pValue = arm == "frequency" ? null : PairedTest.Bootstrap(reference, accF1, seed).PValue;
            rows.Add(Row("acc_f1", report.AccF1, accF1, pValue));
            rows.Add(Row("acc_recall", report.AccRecall, perRecord.Select(r => r.AccRecall).ToList()));
            rows.Add(Row("primary_accuracy", report.PrimaryAccuracy, perRecord.Select(r => r.PrimaryCorrect ? 1.0 : 0.0).ToList()));
            rows.Add(Row("other_f1", report.OtherF1, perRecord.Select(r => r.Other.F1).ToList()));
            rows.Add(Row("other_recall", report.OtherRecall, perRecord.Select(r => r.Other.Recall).ToList()));
            rows.Add(Row("other_micro_f1", report.OtherMicroF1));
            rows.Add(Row("other_macro_f1", report.OtherMacroF1));
        }
        return rows;
    }
}
