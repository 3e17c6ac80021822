using System.Diagnostics;
using IcdResearch.Data;
using IcdResearch.Modeling;
using IcdResearch.Text;
using IcdResearch.Tuning;

namespace IcdResearch.Pipelines.SystemA;

/// <summary>
/// `icd bench` section "system_a": seconds per record of System A's full pipeline (what `icd predict` runs: primary
/// answer, re-judge, NER, 2 × 8 sampled other-diagnosis rounds, voting) on a fixed set of synthetic records — with the
/// trained models of <see cref="TrainedModels"/> when that folder holds them, else with random weights of the `small`
/// backbone's shapes (<see cref="WriteRandomModels"/>, in a temporary folder).
/// </summary>
public sealed class SystemABenchmarkSection : IBenchmarkSection
{
    public static string TrainedModels { get; } = ModelLayout.Root("default", 42);
    public const int Records = 4;

    public string Name => "system_a";

    public object? Measure(CausalLM model)
    {
        var data = Ccl25Dataset.Synthetic();
        var trained = File.Exists(Path.Combine(TrainedModels, SystemAConfig.FileName));
        var dir = trained ? TrainedModels : Path.Combine(Path.GetTempPath(), $"icd-bench-system-a-{Guid.NewGuid():N}");
        try
        {
            if (!trained)
            {
                // The `small` backbone over a character tokenizer of the synthetic sample, its vocabulary rounded up to 64 rows as a trained backbone's.
                var tokenizer = CharTokenizer.Build(data.TrainRaw.Select(r => r.FullText()), minFrequency: 1);
                WriteRandomModels(dir, data, tokenizer, BackbonePreset.Small.ModelConfig(tokenizer.VocabSize, tokenizer.EosId, tokenizer.PadId));
            }
            var config = SystemAConfig.Load(dir);
            var pipeline = SystemAPipeline.Load(dir, new TorchModelBackend(), config);
            var cases = TestCases(data, config);
            pipeline.Predict(cases.Take(1).ToList());   // warm-up: loads the models
            var clock = Stopwatch.StartNew();
            pipeline.Predict(cases);
            return new
            {
                models = trained ? TrainedModels : "random weights, small backbone shapes",
                records = cases.Count,
                seconds_per_record = Math.Round(clock.Elapsed.TotalSeconds / cases.Count, 3),
            };
        }
        finally
        {
            if (!trained && Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>The fixed records: synthetic records after the 30 that form the retrieval database.</summary>
    public static List<SystemACase> TestCases(Ccl25Dataset data, SystemAConfig config) =>
        data.TrainRaw.Skip(30).Take(Records).Select(r => SystemACase.FromRaw(r, null, config.ClinicalInfo)).ToList();

    /// <summary>
    /// A System A models folder of random-weight models — one per role, of <paramref name="config"/>'s shapes over
    /// <paramref name="tokenizer"/> — and its system-a.json (the first 30 synthetic records as the retrieval database).
    /// </summary>
    public static void WriteRandomModels(string dir, Ccl25Dataset data, CharTokenizer tokenizer, ModelConfig config)
    {
        var options = new ClinicalInfoOptions();
        var roles = SystemAConfig.Roles;
        for (var i = 0; i < roles.Count; i++)
        {
            using var model = new CausalLM(config, seed: 11 + i);
            var role = Path.Combine(dir, roles[i]);
            model.SavePretrained(role);
            tokenizer.Save(role);
        }
        var names = data.Codes.NameOf;
        var database = data.TrainRaw.Take(30).Select(r => SystemACase.FromRaw(r, null, options)).ToList();
        new SystemAConfig
        {
            PrimaryCandidates = data.PrimaryCodes.Select(c => new CandidateEntry(c, names(c))).ToList(),
            OtherCandidates = data.OtherCodes.Select(c => new CandidateEntry(c, names(c))).ToList(),
            ClinicalInfo = options,
            Models = roles.ToDictionary(r => r, r => r),
            RetrievalEmbedding = "hidden",
            Database = database.Select(c => new DatabaseEntry(c.Id, c.AdmissionText, c.ClinicalInfo, c.Labels!.PrimaryCode)).ToList(),
            ConfidenceThreshold = 0.02,
        }.Save(dir);
    }
}
