using System.CommandLine;
using IcdResearch.Data;
using IcdResearch.Evaluation;
using IcdResearch.Pipelines.SystemA;
using IcdResearch.Progress;

namespace IcdResearch.Cli.Commands;

/// <summary>
/// `icd predict`: System A's full pipeline (confidence + retrieval + re-judge for the primary diagnosis, NER-enhanced
/// voting ensemble for the other diagnoses) on unlabelled records → the official submission format. Every input
/// record gets a prediction; imperfect records are read leniently with warnings.
/// </summary>
public sealed class PredictCommand : ICliCommand
{
    public Command Build()
    {
        var models = new Option<string>("--models") { Description = "Models folder written by `icd reproduce` (holds system-a.json and the model folders), e.g. models/default.", Required = true };
        var input = new Option<string>("--input") { Description = "Records in the CCL25 input schema (JSON array; labels, if any, are ignored).", Required = true };
        var output = CommonOptions.Out("Prediction file to write: [{\"病案标识\": id, \"预测结果\": \"[PRIMARY|OTHER1;OTHER2]\"}].");
        var batch = new Option<int>("--batch") { Description = "Records per pipeline batch (a failing batch falls back record by record).", DefaultValueFactory = _ => 16 };
        var vote = new Option<string>("--vote")
        {
            Description = "Other-diagnosis ensemble vote threshold: 'tuned' (the one `icd reproduce` chose on dev, when the models folder records it; else the paper's), 'paper' (a code in more than 7 of the 16 pooled samples) or a number k (more than k).",
            DefaultValueFactory = _ => "tuned",
        };
        var allowSynthetic = new Option<bool>("--allow-synthetic-models")
        {
            Description = "Predict real records even with models trained on the SYNTHETIC sample (refused otherwise: such predictions are meaningless).",
        };
        var command = new Command("predict", "Predict primary and other diagnosis codes for unlabelled records with the trained System A models.\n" +
            "Every input record gets a prediction (imperfect records are read leniently, with warnings).\n" +
            "Example: icd predict --models models/default --input test-a-raw.json --out pred.json")
            { models, input, output, batch, vote, allowSynthetic };
        command.SetAction(parse =>
        {
            var warnings = 0;
            void Warn(string m) { warnings++; Console.Error.WriteLine($"warning: {m}"); }
            var records = PredictInput.Read(parse.GetValue(input)!, Warn);
            var modelsDir = parse.GetValue(models)!;
            var config = SystemAConfig.Load(modelsDir);
            if (SyntheticMismatch(config, records) is { } mismatch)
            {
                if (!parse.GetValue(allowSynthetic)) throw new ArgumentException($"{mismatch}. Train on the real data (icd reproduce --data DIR) or pass --allow-synthetic-models to predict anyway.");
                Warn(mismatch);
            }
            var backend = new TorchSystemABackend(null, new HashSet<string>(), null, SystemAProfile.Default);
            var pipeline = SystemAPipeline.Load(modelsDir, backend, config);
            var threshold = VoteThreshold(parse.GetValue(vote)!, config);
            Console.Error.WriteLine($"other diagnoses: a code is kept when it is {VoteRule(threshold, 2 * config.SamplesPerModel)}");
            var cases = records.Select(r => SystemACase.FromRaw(r, null, config.ClinicalInfo)).ToList();
            var predictions = new List<CodeAssignment>(cases.Count);
            WorkProgress.Run("predict", cases.Count, "records", progress =>
            {
                foreach (var chunk in cases.Chunk(Math.Max(1, parse.GetValue(batch))))
                {
                    try { predictions.AddRange(pipeline.Predict(chunk, threshold)); }
                    catch (Exception e) when (chunk.Length > 1)
                    {
                        Warn($"batch starting at {chunk[0].Id} failed ({e.Message}); predicting its records one by one");
                        predictions.AddRange(chunk.Select(c => PredictOne(pipeline, c, threshold, Warn)));
                    }
                    catch (Exception e) { predictions.Add(Fallback(pipeline, chunk[0], e, Warn)); }
                    progress.Report(predictions.Count);
                }
            });
            SubmissionFormat.Write(parse.GetValue(output)!, predictions);
            Console.Error.WriteLine($"wrote {Count(predictions.Count, "prediction")} to {parse.GetValue(output)} ({Count(warnings, "warning")})");
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
        var real = records.Count(r => !SyntheticSample.IsSyntheticId(r.Id) && !PredictInput.IsPlaceholderId(r.Id));
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
        _ => throw new ArgumentException($"--vote '{vote}': expected tuned, paper or a number from 0 to {2 * config.SamplesPerModel - 1}"),
    };

    static CodeAssignment PredictOne(SystemAPipeline pipeline, SystemACase c, int threshold, Action<string> warn)
    {
        try { return pipeline.Predict([c], threshold)[0]; }
        catch (Exception e) { return Fallback(pipeline, c, e, warn); }
    }

    /// <summary>Last resort for a record the pipeline fails on: the primary code of its nearest training case, no other codes.</summary>
    static CodeAssignment Fallback(SystemAPipeline pipeline, SystemACase c, Exception e, Action<string> warn)
    {
        warn($"record {c.Id}: pipeline failed ({e.Message}); predicting the nearest training case's primary code and no other codes");
        return new CodeAssignment(c.Id, pipeline.Index.Nearest([c.AdmissionText])[0].PrimaryCode, []);
    }
}
