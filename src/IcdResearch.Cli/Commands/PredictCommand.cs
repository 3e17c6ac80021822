using System.CommandLine;
using IcdResearch.Data;
using IcdResearch.Evaluation;
using IcdResearch.Inference;
using IcdResearch.Pipelines;
using IcdResearch.Pipelines.SystemA;
using IcdResearch.Progress;

namespace IcdResearch.Cli.Commands;

/// <summary>
/// `icd predict`: System A's full pipeline (confidence + retrieval + re-judge for the primary diagnosis, NER-enhanced
/// voting ensemble for the other diagnoses) on unlabelled records → the official submission format. Every input
/// record gets a prediction from the models; the only exception is a record whose own text is unusable (no text at
/// all, or a prompt longer than the model's context), which gets a counted, reported fallback. A model that cannot
/// produce answers fails the command (non-zero exit, nothing written) instead of yielding a file of fallbacks.
/// </summary>
public sealed class PredictCommand : ICliCommand
{
    public Command Build()
    {
        var models = new Option<string>("--models") { Description = "Models folder written by `icd reproduce` (holds system-a.json and, unless --backend openai, the model folders), e.g. models/default.", Required = true };
        var input = new Option<string>("--input") { Description = "Records in the CCL25 input schema (JSON array; labels, if any, are ignored).", Required = true };
        var output = CommonOptions.Out("Prediction file to write: [{\"病案标识\": id, \"预测结果\": \"[PRIMARY|OTHER1;OTHER2]\"}].");
        var batch = new Option<int>("--batch") { Description = "Records per pipeline batch.", DefaultValueFactory = _ => 16 }.Range(1);
        var vote = new Option<string>("--vote")
        {
            Description = "Other-diagnosis ensemble vote threshold: 'tuned' (the one `icd reproduce` chose on dev, when the models folder records it; else the paper's), 'paper' (a code in more than 7 of the 16 pooled samples) or a number k (more than k).",
            DefaultValueFactory = _ => "tuned",
        };
        var allowSynthetic = new Option<bool>("--allow-synthetic-models")
        {
            Description = "Predict real records even with models trained on the SYNTHETIC sample (refused otherwise: such predictions are meaningless).",
        };
        var backendOptions = new BackendOptions();
        var dtype = CommonOptions.Dtype();
        var device = CommonOptions.Device();
        var decoder = CommonOptions.Decoder();
        var command = new Command("predict", "Predict primary and other diagnosis codes for unlabelled records with the trained System A models.\n" +
            "Every input record gets a prediction (imperfect records are read leniently, with warnings).\n" +
            "Example: icd predict --models models/default --input test-a-raw.json --out pred.json")
            { models, input, output, batch, vote, allowSynthetic };
        CommonOptions.Output(command, output, folder: false);
        backendOptions.AddTo(command);
        command.Add(dtype);
        command.Add(device);
        command.Add(decoder);
        command.SetAction(parse =>
        {
            var warnings = 0;
            void Warn(string m) { warnings++; Console.Error.WriteLine($"warning: {m}"); }
            var inputPath = parse.GetValue(input)!;
            var records = PredictInput.Read(inputPath, Warn);
            if (records.Count == 0) throw new DataFormatException(inputPath, "holds no records (an empty array): nothing to predict");
            var modelsDir = parse.GetValue(models)!;
            var config = SystemAConfig.Load(modelsDir);
            if (SyntheticMismatch(config, records) is { } mismatch)
            {
                if (!parse.GetValue(allowSynthetic)) throw new ArgumentException($"{mismatch}. Train on the real data (icd reproduce --data DIR) or pass --allow-synthetic-models to predict anyway.");
                Warn(mismatch);
            }
            var backend = (IModelBackend?)backendOptions.Remote(parse)
                ?? new TorchModelBackend { LoadSettings = Modeling.ModelLoadSettings.Parse(parse.GetValue(dtype)!, parse.GetValue(device)!, parse.GetValue(decoder)!) };
            var pipeline = SystemAPipeline.Load(modelsDir, backend, config);
            var threshold = VoteThreshold(parse.GetValue(vote)!, config);
            Console.Error.WriteLine($"other diagnoses: a code is kept when it is {VoteRule(threshold, 2 * config.SamplesPerModel)}");
            var cases = records.Select(r => SystemACase.FromRaw(r, null, config.ClinicalInfo)).ToList();
            var fallbacks = new List<string>();
            var predictions = new List<CodeAssignment>(cases.Count);
            WorkProgress.Run("predict", cases.Count, "records", progress =>
            {
                foreach (var chunk in cases.Chunk(parse.GetValue(batch)))
                {
                    var usable = chunk.Where(c => !Unusable(c)).ToList();
                    var predicted = PredictUsable(pipeline, usable, threshold).ToDictionary(p => p.Id);
                    foreach (var c in chunk)
                        predictions.Add(predicted.TryGetValue(c.Id, out var p) ? p : Fallback(pipeline, c, fallbacks));
                    progress.Report(predictions.Count);
                }
            });
            if (fallbacks.Count == cases.Count)
                throw new InvalidOperationException($"{modelsDir}: the models produced no answer for any of the {Count(cases.Count, "record")} of {inputPath} (every record fell back); nothing written");
            if (fallbacks.Count > 0)
                Warn($"{fallbacks.Count} of {Count(cases.Count, "record")} {(fallbacks.Count == 1 ? "has" : "have")} unusable text and got the fallback prediction (the nearest training case's primary code, no other codes): {string.Join(", ", fallbacks.Take(20))}{(fallbacks.Count > 20 ? ", …" : "")}");
            SubmissionFormat.Write(parse.GetValue(output)!, predictions);
            Console.Error.WriteLine($"wrote {Count(predictions.Count, "prediction")} to {parse.GetValue(output)} ({Count(fallbacks.Count, "fallback")}, {Count(warnings, "warning")})");
            return 0;
        });
        return command;
    }

    /// <summary>"in more than 7 of the 16 pooled samples", grammatical for every threshold: "in at least one of …", "in all 4 …".</summary>
    public static string VoteRule(int threshold, int pooled) => (threshold, pooled) switch
    {
        (_, 1) => "in the one pooled sample",
        (0, _) => $"in at least one of the {pooled} pooled samples",
        _ when threshold == pooled - 1 => $"in all {pooled} pooled samples",
        _ => $"in more than {threshold} of the {pooled} pooled samples",
    };

    /// <summary>"1 warning", "0 warnings", "2 predictions".</summary>
    public static string Count(int n, string singular) => n == 1 ? $"1 {singular}" : $"{n:N0} {singular}s";

    /// <summary>
    /// Why predicting <paramref name="records"/> with these models is meaningless, or null: the models were trained on the
    /// SYNTHETIC sample (their retrieval database holds only SYN records) and some input records are not synthetic.
    /// </summary>
    public static string? SyntheticMismatch(SystemAConfig config, IReadOnlyList<ClinicalRecord> records)
    {
        if (config.Database.Count == 0 || !config.Database.All(e => SyntheticSample.IsSyntheticId(e.Id))) return null;
        var real = records.Count(r => !SyntheticSample.IsSyntheticId(r.Id));
        if (real == 0) return null;
        return $"the models were trained on the SYNTHETIC sample, but {real:N0} of the {Count(records.Count, "input record")} " +
               $"{(real == 1 ? "is" : "are")} not synthetic";
    }

    /// <summary>Resolves --vote: "tuned" (dev-chosen, falling back to the paper's rule), "paper" or a number.</summary>
    public static int VoteThreshold(string vote, SystemAConfig config) => vote switch
    {
        "tuned" => config.TunedVoteThreshold ?? config.EnsembleVoteThreshold,
        "paper" => config.EnsembleVoteThreshold,
        _ when int.TryParse(vote, out var k) && k >= 0 && k < 2 * config.SamplesPerModel => k,
        _ => throw new ArgumentException($"--vote '{Excerpt.Of(vote, 20)}': expected tuned, paper or a number from 0 to {2 * config.SamplesPerModel - 1}"),
    };

    /// <summary>A record with no text at all: nothing for the models to read.</summary>
    static bool Unusable(SystemACase c) => string.IsNullOrWhiteSpace(c.ClinicalInfo) && string.IsNullOrWhiteSpace(c.AdmissionText);

    /// <summary>
    /// Predictions for records with text. A batch that fails because one prompt exceeds the model's context is retried
    /// record by record, and only that record is left out (it falls back); any other failure is the model's and stops the command.
    /// </summary>
    static IEnumerable<CodeAssignment> PredictUsable(SystemAPipeline pipeline, IReadOnlyList<SystemACase> cases, int threshold)
    {
        if (cases.Count == 0) return [];
        try { return pipeline.Predict(cases, threshold); }
        catch (InputTooLongException) when (cases.Count > 1)
        {
            return cases.SelectMany(c => PredictUsable(pipeline, [c], threshold)).ToList();
        }
        catch (InputTooLongException) { return []; }
    }

    /// <summary>The fallback for a record whose text is unusable: the primary code of the nearest training case, no other codes.</summary>
    static CodeAssignment Fallback(SystemAPipeline pipeline, SystemACase c, List<string> fallbacks)
    {
        fallbacks.Add(c.Id);
        return new CodeAssignment(c.Id, pipeline.Index.Nearest([c.AdmissionText])[0].PrimaryCode, []);
    }
}
