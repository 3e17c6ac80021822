using System.CommandLine;
using IcdResearch.Data;
using IcdResearch.Evaluation;
using IcdResearch.Pipelines.SystemA;

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
        var command = new Command("predict", "Predict primary and other diagnosis codes for unlabelled records with the trained System A models.") { models, input, output, batch, vote };
        command.SetAction(parse =>
        {
            var warnings = 0;
            void Warn(string m) { warnings++; Console.Error.WriteLine($"warning: {m}"); }
            var records = PredictInput.Read(parse.GetValue(input)!, Warn);
            var modelsDir = parse.GetValue(models)!;
            var config = SystemAConfig.Load(modelsDir);
            var backend = new TorchSystemABackend(null, new HashSet<string>(), null, SystemAProfile.Default);
            var pipeline = SystemAPipeline.Load(modelsDir, backend, config);
            var threshold = VoteThreshold(parse.GetValue(vote)!, config);
            Console.Error.WriteLine($"other diagnoses: a code is kept when it is in more than {threshold} of the {2 * config.SamplesPerModel} pooled samples");
            var cases = records.Select(r => SystemACase.FromRaw(r, null, config.ClinicalInfo)).ToList();
            var predictions = new List<CodeAssignment>(cases.Count);
            foreach (var chunk in cases.Chunk(Math.Max(1, parse.GetValue(batch))))
            {
                try { predictions.AddRange(pipeline.Predict(chunk, threshold)); }
                catch (Exception e) when (chunk.Length > 1)
                {
                    Warn($"batch starting at {chunk[0].Id} failed ({e.Message}); predicting its records one by one");
                    predictions.AddRange(chunk.Select(c => PredictOne(pipeline, c, threshold, Warn)));
                }
                catch (Exception e) { predictions.Add(Fallback(pipeline, chunk[0], e, Warn)); }
                Console.Error.WriteLine($"predicted {predictions.Count}/{cases.Count}");
            }
            SubmissionFormat.Write(parse.GetValue(output)!, predictions);
            Console.Error.WriteLine($"wrote {predictions.Count} predictions to {parse.GetValue(output)} ({warnings} warnings)");
            return 0;
        });
        return command;
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
