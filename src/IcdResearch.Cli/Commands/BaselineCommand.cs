using System.CommandLine;
using IcdResearch.Data;
using IcdResearch.Evaluation;
using IcdResearch.Pipelines.Baselines;

namespace IcdResearch.Cli.Commands;

/// <summary>`icd baseline`: the frequency / tfidf-lr / knn peers, on files or (method all) on the documented split.</summary>
public sealed class BaselineCommand : ICliCommand
{
    public Command Build()
    {
        var method = new Option<string>("--method")
        {
            Description = "frequency (most frequent codes) | tfidf-lr (char n-gram TF-IDF + one-vs-rest logistic regression) | " +
                          "knn (codes of the most similar training record) | all (every arm on --split, written to --results).",
            Required = true,
        };
        method.AcceptOnlyFromAmong("frequency", "tfidf-lr", "knn", "all");
        var train = new Option<string?>("--train") { Description = "Labelled training file (raw CCL25 schema or entity view). Single-method mode." };
        var input = new Option<string?>("--input") { Description = "Records to code (raw schema or entity view; labels not needed). Single-method mode." };
        var output = CommonOptions.Out("Predictions in the submission format (single-method mode).", required: false);
        var split = new Option<string>("--split") { Description = "Split file (method all).", DefaultValueFactory = _ => Splits.DefaultPath };
        var results = new Option<string>("--results") { Description = "Results CSV (method all).", DefaultValueFactory = _ => "results/baselines.csv" };
        var predictions = new Option<string?>("--predictions") { Description = "Folder for each arm's test predictions (method all; optional)." };
        var data = CommonOptions.Data();
        var seed = CommonOptions.Seed();
        var command = new Command("baseline",
            "Run the baseline peers (frequency, tfidf-lr, knn).\n" +
            "Single method: fit on --train, predict --input, write --out (tfidf-lr tunes its other-code threshold by 3-fold " +
            "cross-validation on --train). --method all: every arm on the split's test part (fit on train/train_entities, tuned " +
            "on dev), rows with n and 95% CIs written to --results; synthetic data gets its own split.\n" +
            "Example: icd baseline --method all --results results/baselines.csv")
        { method, train, input, output, split, results, predictions, data, seed };
        CommonOptions.Output(command, output, folder: false);
        CommonOptions.Output(command, results, folder: false);
        CommonOptions.Output(command, predictions, folder: true);
        command.SetAction(parse =>
        {
            var m = parse.GetValue(method)!;
            if (m == "all")
            {
                var dataset = Ccl25Dataset.Load(parse.GetValue(data));
                var splitPath = parse.GetResult(split) is { Implicit: false } ? parse.GetValue(split) : null;
                var s = dataset.IsSynthetic && splitPath is null ? Splits.Create(dataset, parse.GetValue(seed)) : Splits.For(dataset, splitPath);
                var rows = BaselineExperiment.Run(dataset, s, parse.GetValue(seed), parse.GetValue(predictions), line => Console.Error.WriteLine(line));
                var path = parse.GetValue(results)!;
                ResultsTable.Write(path, rows);
                foreach (var r in rows.Where(r => r.Metric is "acc_f1" or "primary_accuracy" or "other_f1"))
                    Console.WriteLine($"{r.Arm,-18} {r.Metric,-17} {r.Value:F3} [{r.CiLow:F3}, {r.CiHigh:F3}] n={r.N}{(r.PValue is { } p ? $" p={p:F4}" : "")}");
                Console.WriteLine($"wrote {path}{(dataset.IsSynthetic ? " (SYNTHETIC data)" : "")}");
                return 0;
            }
            var trainPath = parse.GetValue(train) ?? throw new ArgumentException("--train is required unless --method all");
            var inputPath = parse.GetValue(input) ?? throw new ArgumentException("--input is required unless --method all");
            var outPath = parse.GetValue(output) ?? throw new ArgumentException("--out is required unless --method all");
            ICodingBaseline model = m switch
            {
                "frequency" => new FrequencyBaseline(),
                "knn" => new KnnBaseline(),
                _ => new TfidfLogisticBaseline(parse.GetValue(seed)),
            };
            var trainDocs = BaselineDocument.LoadFile(trainPath, LabelPolicy.Required);
            if (trainDocs.Count == 0) throw new DataFormatException(trainPath, "holds no records (an empty array): nothing to fit");
            model.Fit(trainDocs);
            var docs = BaselineDocument.LoadFile(inputPath, LabelPolicy.Ignore);
            SubmissionFormat.Write(outPath, docs.Select(model.Predict));
            Console.WriteLine($"{model.Name}: wrote {docs.Count} predictions to {outPath}");
            return 0;
        });
        return command;
    }
}
