using IcdResearch.Data;
using IcdResearch.Evaluation;
using IcdResearch.Inference;
using IcdResearch.Inference.Constraints;
using IcdResearch.Pipelines;
using IcdResearch.Pipelines.CodeCentric;
using IcdResearch.Retrieval;
using IcdResearch.Tuning;

namespace IcdResearch.Tests;

/// <summary>
/// The CCL experiment's orchestration on the synthetic sample with a transparent stand-in learner (answers with the
/// answer of the most similar training prompt), so that the data flow, the arms and every results file are checked
/// in seconds; the real backbone path is exercised by <c>icd ccl --profile smoke</c>.
/// </summary>
public class CodeCentricExperimentTests
{
    /// <summary>Nearest-prompt lookup: "trained" = remembers its examples; the backbone knows nothing and answers "".</summary>
    sealed class LookupModel(IReadOnlyList<(string Prompt, string Answer)> memory) : IAnswerGenerator
    {
        public IReadOnlyList<GeneratedAnswer> Greedy(IReadOnlyList<string> prompts, IReadOnlyList<AnswerGrammar> grammars,
            IReadOnlyList<string?>? answerPrefixes = null, int? maxNewTokens = null) =>
            prompts.Select((p, i) => new GeneratedAnswer(grammars[i] switch
            {
                // Picks the allowed string closest to the prompt's code name line (the backbone: always 无证据).
                AnswerGrammar.OneName g => memory.Count == 0 ? CodeCentricPrompts.NoEvidence : g.Names.MaxBy(a => TextAlignment.LcsDice(a, p.Split('\n')[1]))!,
                _ => Free(p, answerPrefixes?[i]),
            }, [1.0])).ToList();

        string Free(string prompt, string? prefix)
        {
            if (memory.Count == 0) return "";
            var best = memory.MaxBy(m => TextAlignment.LcsDice(m.Prompt, prompt)).Answer;
            return prefix is not null && best.Contains(CodeCentricOutput.CodesHeader)
                ? best[(best.IndexOf(CodeCentricOutput.CodesHeader) + CodeCentricOutput.CodesHeader.Length)..].TrimStart('\n')
                : best;
        }

        public IReadOnlyList<GeneratedAnswer> Sample(string prompt, AnswerGrammar grammar, int count, int seed) => throw new NotSupportedException();
    }

    /// <summary>The stand-in model layer: a fine-tuned folder remembers its examples.</summary>
    sealed class LookupModels : IModelBackend
    {
        readonly Dictionary<string, IReadOnlyList<(string Prompt, string Answer)>> _trained = [];
        public List<string> Trained { get; } = [];
        public Dictionary<string, (int Examples, int Epochs)> Budgets { get; } = [];
        public void EnsureBackbone(string directory, bool force) { }
        public TrainingCost FineTune(string name, string baseModel, string directory, IReadOnlyList<(string Prompt, string Answer)> train,
            IReadOnlyList<(string Prompt, string Answer)> dev, SftOptions options, bool force)
        {
            Trained.Add(name);
            Budgets[name] = (train.Count, options.Epochs);
            _trained[directory] = train;
            long tokens = train.Sum(e => (long)e.Prompt.Length + e.Answer.Length);
            var steps = (train.Count + options.Train.BatchSize - 1) / options.Train.BatchSize * options.Epochs;
            return new TrainingCost(train.Count, tokens, 0.01, options.Epochs, 0) { OptimizerSteps = steps };
        }
        public IAnswerGenerator Generator(string modelDirectory) => new LookupModel(_trained.GetValueOrDefault(modelDirectory, []));
        public ITextEmbedder Embedder(string modelDirectory) => throw new NotSupportedException();
    }

    [Fact]
    public void RunsEveryArmAndWritesEveryResultsFile()
    {
        var dataset = Ccl25Dataset.Synthetic();
        var records = dataset.TrainRaw;
        var train = records.Where((_, i) => i % 4 != 0).ToList();
        var test = records.Where((_, i) => i % 4 == 0).ToList();
        var dir = Path.Combine(Path.GetTempPath(), $"icd-ccl-{Guid.NewGuid():N}");
        var options = CodeCentricOptions.Smoke with { ResultsDir = Path.Combine(dir, "results"), RunsDir = Path.Combine(dir, "runs"), MaxTestRecords = 0, Backbone = Path.Combine(dir, "backbone") };
        var chip = new List<ChipCdnPair>
        {
            new(0, "冠心病", [dataset.Codes.NameOf("I25.103")]),
            new(1, "房颤", [dataset.Codes.NameOf("I48.x01")]),
        };
        var data = CodeCentricData.Build(dataset, train, test, chip, chip, options);
        var models = new LookupModels();
        var summary = CodeCentricExperiment.Run(data, models, options);

        Assert.Equal(["doc_codes", "doc_evidence", "gold_spans", "silver_synthetic", "span_only", "gold_spans_equal_steps", "silver_synthetic_equal_steps"], models.Trained);
        // Equal-steps control: lines 4–5 get line 2's optimizer steps × batch size examples in one pass.
        var batch = options.FineTune.Train.BatchSize;
        var line2 = (models.Budgets["doc_codes"].Examples + batch - 1) / batch * models.Budgets["doc_codes"].Epochs * batch;
        Assert.Equal((line2, 1), models.Budgets["gold_spans_equal_steps"]);
        Assert.Equal((line2, 1), models.Budgets["silver_synthetic_equal_steps"]);
        Assert.True(models.Budgets["silver_synthetic"].Examples * models.Budgets["silver_synthetic"].Epochs > line2); // what the control removes
        var pairsRows = ResultsTable.Read(Path.Combine(options.ResultsDir, "ccl_pairs.csv"));
        Assert.Equal(0, pairsRows.Single(r => r.Arm == "mining_model" && r.Metric == "found_rate").Value); // the stand-in backbone says 无证据
        Assert.True(pairsRows.Single(r => r.Arm == "mining_alignment" && r.Metric == "found_rate").Value > 0.5);
        foreach (var file in new[] { "ccl_ablation.csv", "ccl_unseen.csv", "ccl_evidence.csv", "ccl_ood.csv", "ccl_efficiency.csv", "ccl_pairs.csv" })
            Assert.True(File.Exists(Path.Combine(options.ResultsDir, file)), file);
        var silver = SpanPairsFile.Read(Path.Combine(options.ResultsDir, CodeCentricExperiment.SilverPairsFile));
        Assert.NotEmpty(silver);
        Assert.All(silver, p => Assert.Contains(train, r => options.Document.Build(r).Contains(p.Span))); // mined from training text only

        var ablation = ResultsTable.Read(Path.Combine(options.ResultsDir, "ccl_ablation.csv"));
        double F1(string arm) => ablation.Single(r => r.Arm == arm && r.Metric == "micro_f1").Value;
        Assert.Equal(0, F1("zero_shot"));               // the stand-in backbone answers nothing
        Assert.True(F1("doc_codes") > 0.3);             // synthetic records are near-duplicates of each other
        Assert.All(ablation, r => Assert.Equal(test.Count, r.N));
        Assert.All(ablation.Where(r => r.Arm != "zero_shot"), r => Assert.InRange(r.Value, r.CiLow - 1e-9, r.CiHigh + 1e-9));
        // "+ human evidence" exists and the reference evidence is parsed back out of the forced prefix.
        Assert.Contains(ablation, r => r.Arm == "human_evidence");
        var evidence = ResultsTable.Read(Path.Combine(options.ResultsDir, "ccl_evidence.csv"));
        Assert.Contains(evidence, r => r.Arm == "doc_evidence" && r.Metric == "evidence_f1_exact");
        Assert.DoesNotContain(evidence, r => r.Arm == "doc_codes");
        var efficiency = ResultsTable.Read(Path.Combine(options.ResultsDir, "ccl_efficiency.csv"));
        var perExample = efficiency.Where(r => r.Metric == "tokens_per_example").ToDictionary(r => r.Arm, r => r.Value);
        Assert.True(perExample["span_only"] < perExample["doc_evidence"]); // span examples are much shorter (Table 2)
        Assert.Equal(perExample.Keys.Order(), efficiency.Where(r => r.Metric == "seconds_total").Select(r => r.Arm).Order());
        Assert.Contains("ORACLE", ablation.First(r => r.Arm == "human_evidence").Note);
        Assert.NotEmpty(summary.Log);
        Directory.Delete(dir, true);
    }

    [Fact]
    public void EqualStepsScheduleCyclesWholeShufflesUpToTheBudget()
    {
        var examples = Enumerable.Range(0, 7).Select(i => ($"p{i}", $"a{i}")).ToList();
        var schedule = EqualSteps.Schedule(examples, 17, seed: 3);
        Assert.Equal(17, schedule.Count);
        var counts = schedule.GroupBy(e => e.Item1).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(7, counts.Count);
        Assert.All(counts.Values, c => Assert.InRange(c, 2, 3));                  // 17 = 2 full passes + 3 of a third
        Assert.Equal(7, schedule.Take(7).Distinct().Count());                     // the first pass is a permutation
        Assert.Equal(schedule, EqualSteps.Schedule(examples, 17, seed: 3));       // seeded
        Assert.Empty(EqualSteps.Schedule(examples, 0, seed: 3));
    }

    [Fact]
    public void ArmsAddTheirExampleSetsCumulatively()
    {
        var dataset = Ccl25Dataset.Synthetic();
        var data = CodeCentricData.Build(dataset, dataset.TrainRaw, [], [], [], CodeCentricOptions.Smoke);
        int Count(CodeCentricArm arm) => CodeCentricExperiment.Examples(data, arm, 1).Count;
        var a = CodeCentricArm.Ablation;
        Assert.Equal(data.Train.Count, Count(a[1]));
        Assert.Equal(data.Train.Count, Count(a[2]));
        Assert.Equal(data.Train.Count + data.GoldTabular.Count + data.GoldIndex.Count, Count(a[3]));
        Assert.Equal(Count(a[3]) + data.Silver.Count + data.Synthetic.Count, Count(a[4]));
        Assert.All(CodeCentricExperiment.Examples(data, a[2], 1), e => Assert.StartsWith(CodeCentricOutput.EvidenceHeader, e.Answer));
        Assert.All(CodeCentricExperiment.Examples(data, a[1], 1), e => Assert.StartsWith(CodeCentricOutput.CodesHeader, e.Answer));
    }

    [Fact]
    public void WithheldCodesLeaveTheTrainingTargetsAndSilverPairsAndCountAsUnseen()
    {
        var dataset = Ccl25Dataset.Synthetic();
        var train = dataset.TrainRaw.Where((_, i) => i % 4 != 0).ToList();
        var test = dataset.TrainRaw.Where((_, i) => i % 4 == 0).ToList();
        var options = CodeCentricOptions.Smoke with { MaxTestRecords = 0, WithheldCodes = 2 };
        var data = CodeCentricData.Build(dataset, train, test, [], [], options);

        Assert.Equal(2, data.Withheld.Count);
        var withheld = data.Withheld.ToHashSet();
        Assert.DoesNotContain(withheld, dataset.PrimaryCodes.Contains);
        Assert.All(withheld, c => Assert.Contains(train, r => r.Labels().OtherCodes.Contains(c)));    // chosen among codes present in training...
        Assert.All(data.Train, c => Assert.DoesNotContain(c.Codes, withheld.Contains));              // ...and removed from its targets
        Assert.DoesNotContain(data.Silver, p => withheld.Contains(p.Code));                           // no silver spans mined for them
        Assert.Contains(data.Test, c => c.Codes.Any(withheld.Contains));                              // still gold on the test side

        // Figure 3: every test occurrence of a withheld code is an unseen occurrence; a model that predicts the gold set hits them all.
        var eval = new CodeCentricEvaluation(data, options);
        var perfect = new CodeCentricEvaluation.Outputs(
            data.Test.Select(_ => "").ToList(),
            data.Test.Select(c => new CodeCentricOutput(c.Evidence, c.Codes, [])).ToList());
        var unseen = eval.Unseen(perfect);
        Assert.Equal(data.Test.Sum(c => c.Codes.Count(withheld.Contains)), unseen.Count);
        Assert.All(unseen, u => Assert.True(u.Hit));

        // Same seed, same choice; another seed may choose differently but always the same number.
        Assert.Equal(data.Withheld, CodeCentricData.Build(dataset, train, test, [], [], options).Withheld);
        Assert.Equal(2, CodeCentricData.Build(dataset, train, test, [], [], options with { Seed = 7 }).Withheld.Count);
    }
}
