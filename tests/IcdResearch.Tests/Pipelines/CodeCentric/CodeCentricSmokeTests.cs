using IcdResearch.Data;
using IcdResearch.Evaluation;
using IcdResearch.Modeling;
using IcdResearch.Pipelines;
using IcdResearch.Pipelines.CodeCentric;
using IcdResearch.Text;
using IcdResearch.Tuning;

namespace IcdResearch.Tests;

/// <summary>
/// End-to-end smoke of the CCL experiment with real TorchSharp models: a tiny random Qwen2-architecture backbone with
/// a character vocabulary from the synthetic sample, fine-tuned per arm with the one fine-tuner, decoded with the
/// one model layer. Checks the plumbing and the invariants of every results file, not the (meaningless) scores.
/// </summary>
public class CodeCentricSmokeTests
{
    /// <summary>A tiny random Qwen2-architecture backbone (1 layer, hidden 32) over a character vocabulary of the synthetic sample, the code names and the CCL prompts.</summary>
    internal static string TinyBackbone(string dir, Ccl25Dataset dataset, bool tieWordEmbeddings = true)
    {
        var corpus = dataset.TrainRaw.Select(r => r.FullText()).Concat(dataset.Codes.Codes.Select(dataset.Codes.NameOf))
            .Append(CodeCentricPrompts.DocumentWithEvidence + CodeCentricPrompts.Span + CodeCentricPrompts.MineSpan + CodeCentricOutput.EvidenceHeader + CodeCentricOutput.CodesHeader);
        var tokenizer = CharTokenizer.Build(corpus, minFrequency: 1, maxVocab: 300);
        var config = new ModelConfig
        {
            ModelType = "qwen2", VocabSize = (tokenizer.VocabSize + 63) / 64 * 64, HiddenSize = 32, IntermediateSize = 64,
            NumHiddenLayers = 1, NumAttentionHeads = 2, NumKeyValueHeads = 1, MaxPositionEmbeddings = 512, TieWordEmbeddings = tieWordEmbeddings,
            RopeThetaTopLevel = 10000, TorchDtype = "float32", PadTokenId = tokenizer.PadId,
        };
        TorchRuntime.EnsureLoaded();
        new CausalLM(config, seed: 1).SavePretrained(dir);
        tokenizer.Save(dir);
        return dir;
    }

    [Fact]
    public void TinyBackboneRunsEveryArmAndWritesConsistentResults()
    {
        var root = Directory.CreateTempSubdirectory("icd-ccl-smoke-").FullName;
        var dataset = Ccl25Dataset.Synthetic();
        var options = CodeCentricOptions.Smoke with
        {
            ResultsDir = Path.Combine(root, "results"), RunsDir = Path.Combine(root, "runs"),
            Backbone = TinyBackbone(Path.Combine(root, "backbone"), dataset), MaxTestRecords = 4, MaxNewTokensDocument = 24, Resamples = 50,
            MaxTabularPairs = 12, MaxIndexPairs = 12,
        };
        var split = Splits.Create(dataset, seed: 42);
        var data = CodeCentricData.Build(dataset, split.Train.Select(id => dataset.RawById[id]).ToList(),
            split.Test.Select(id => dataset.RawById[id]).ToList(), [], [], options);
        var progressLines = new StringWriter();
        CodeCentricExperiment.Summary summary;
        using (IcdResearch.Progress.WorkProgress.WriteLinesTo(progressLines))
            summary = CodeCentricExperiment.Run(data, new TorchModelBackend(log: TextWriter.Null), options);
        // Progress: the arms as one step (its last line counts all of them) and each arm's bootstrap as a nested step.
        var progress = progressLines.ToString();
        Assert.Contains("Code-Centric Learning arms: 6/6 arms", progress);
        Assert.Contains("silver_synthetic: bootstrap CIs (50 resamples)", progress);

        var ablation = ResultsTable.Read(Path.Combine(options.ResultsDir, "ccl_ablation.csv"));
        Assert.Equal(["zero_shot", "doc_codes", "doc_evidence", "gold_spans", "silver_synthetic", "human_evidence", "gold_spans_equal_steps", "silver_synthetic_equal_steps"],
            ablation.Select(r => r.Arm).Distinct());
        Assert.All(ablation, r => { Assert.Equal(4, r.N); Assert.InRange(r.Value, 0, 1); });
        var efficiency = ResultsTable.Read(Path.Combine(options.ResultsDir, "ccl_efficiency.csv"));
        Assert.All(efficiency.Where(r => r.Metric is "tokens_per_epoch" or "seconds_per_epoch" or "seconds_total"), r => Assert.True(r.Value > 0, $"{r.Arm} {r.Metric}"));
        // The trainer's own step count: the equal-steps arms take exactly line 2's optimizer steps, line 5 more.
        double Steps(string arm) => efficiency.Single(r => r.Arm == arm && r.Metric == "optimizer_steps").Value;
        Assert.Equal(Steps("doc_codes"), Steps("gold_spans_equal_steps"));
        Assert.Equal(Steps("doc_codes"), Steps("silver_synthetic_equal_steps"));
        Assert.True(Steps("silver_synthetic") > Steps("doc_codes"));
        // The backbone's mined spans are verbatim substrings of their training documents by construction.
        var modelPairs = SpanPairsFile.Read(Path.Combine(options.ResultsDir, CodeCentricExperiment.ModelSilverPairsFile));
        Assert.All(modelPairs, p => Assert.Contains(data.Train, c => c.Document.Contains(p.Span)));
        // A finished arm is reused (same fingerprint): training it again returns the recorded cost without training.
        var recorded = System.Text.Json.JsonSerializer.Deserialize<TrainingCost>(File.ReadAllText(Path.Combine(options.RunsDir, "doc_codes", TrainingCost.FileName)));
        var log = new StringWriter();
        var reused = new TorchModelBackend(log: log).FineTune("doc_codes", options.Backbone!, Path.Combine(options.RunsDir, "doc_codes"),
            CodeCentricExperiment.Examples(data, CodeCentricArm.Ablation[1], options.Seed), [], options.FineTune with { Train = options.FineTune.Train with { Seed = options.Seed } }, force: false);
        Assert.Equal(recorded, reused);
        Assert.Contains("reusing fine-tuned doc_codes", log.ToString());
        Assert.NotEmpty(summary.Log);
        Directory.Delete(root, true);
    }
}
