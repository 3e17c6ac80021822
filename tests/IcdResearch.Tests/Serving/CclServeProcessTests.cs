using IcdResearch.Data;
using IcdResearch.Evaluation;
using IcdResearch.Inference;
using IcdResearch.Inference.Constraints;
using IcdResearch.Inference.OpenAi;
using IcdResearch.Pipelines;
using IcdResearch.Pipelines.CodeCentric;

namespace IcdResearch.Tests;

/// <summary>
/// The Code-Centric Learning arms of a tiny backbone (<see cref="CodeCentricSmokeTests.TinyBackbone"/>) trained in process
/// with the in-process results of the experiment, and `icd serve` as a real process (<see cref="ServeProcess"/>) serving
/// the backbone as "tiny-backbone" and every arm folder under the arm's name.
/// </summary>
public sealed class ServedCclArms : IDisposable
{
    public string Root { get; } = Directory.CreateTempSubdirectory("icd-ccl-serve-").FullName;
    public CodeCentricOptions Options { get; }
    public CodeCentricData Data { get; }
    public Uri Endpoint => _server.Endpoint;
    readonly ServeProcess _server;

    public ServedCclArms()
    {
        var dataset = Ccl25Dataset.Synthetic();
        Options = CodeCentricOptions.Smoke with
        {
            ResultsDir = Path.Combine(Root, "results"), RunsDir = Path.Combine(Root, "runs"),
            Backbone = CodeCentricSmokeTests.TinyBackbone(Path.Combine(Root, "backbone"), dataset, tieWordEmbeddings: false),
            MaxTestRecords = 4, MaxNewTokensDocument = 24, Resamples = 50, MaxTabularPairs = 12, MaxIndexPairs = 12, ModelMinerDocuments = 4,
        };
        var split = Splits.Create(dataset, seed: 42);
        // Out-of-domain mentions (CHIP-CDN dev's role): code names behind a prefix, so every arm also answers span prompts.
        var ood = dataset.PrimaryCodes.Take(4).Select((c, i) => new ChipCdnPair(i, "疑似" + dataset.Codes.NameOf(c), [dataset.Codes.NameOf(c)])).ToList();
        Data = CodeCentricData.Build(dataset, split.Train.Select(id => dataset.RawById[id]).ToList(),
            split.Test.Select(id => dataset.RawById[id]).ToList(), [], ood, Options);
        CodeCentricExperiment.Run(Data, new TorchModelBackend(log: TextWriter.Null), Options);
        _server = new ServeProcess(["--model", $"tiny-backbone={Options.Backbone}",
            .. CodeCentricArm.ModelNames.Where(n => n != "backbone").SelectMany(n => new[] { "--model", $"{n}={Path.Combine(Options.RunsDir, n)}" })]);
    }

    public void Dispose()
    {
        try { _server.Dispose(); }
        finally { if (Directory.Exists(Root)) Directory.Delete(Root, recursive: true); }
    }
}

/// <summary>
/// Issue 15: Code-Centric Learning's inference through the OpenAI-compatible HTTP backend against a real `icd serve`
/// process gives the in-process generations and results for the same inputs (greedy), the forced-evidence oracle
/// included; nothing is trained over HTTP and no training cost is reported for served arms. `icd reproduce
/// --experiment ccl` and `icd ccl` take the same --backend options as System A.
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class CclServeProcessTests(ServedCclArms served) : IClassFixture<ServedCclArms>
{
    static readonly string[] ResultFiles = ["ccl_ablation.csv", "ccl_unseen.csv", "ccl_evidence.csv", "ccl_ood.csv", "ccl_pairs.csv"];

    [Fact]
    public void CclOverHttpEqualsInProcess()
    {
        var local = served.Options;
        var remote = local with { ResultsDir = Path.Combine(served.Root, "http-results"), RunsDir = Path.Combine(served.Root, "http-runs") };
        var log = new StringWriter();
        var backend = new OpenAiModelBackend(new OpenAiEndpoint(served.Endpoint), OpenAiModelBackend.ParseModelsMap("backbone=tiny-backbone"), log: log);
        CodeCentricExperiment.Run(served.Data, backend, remote);

        // Every arm's raw generations (and the oracle's, continuing the forced reference evidence) are the in-process ones.
        var arms = CodeCentricArm.Ablation.Select(a => a.Name).Concat(CodeCentricArm.Ablation.Where(a => EqualSteps.Lines.Contains(a.Line)).Select(EqualSteps.ArmName)).ToList();
        foreach (var arm in arms)
            Assert.Equal(File.ReadAllText(Path.Combine(local.RunsDir, arm, "test_generations.jsonl")), File.ReadAllText(Path.Combine(remote.RunsDir, arm, "test_generations.jsonl")));
        Assert.True(arms.Select(arm => File.ReadAllText(Path.Combine(local.RunsDir, arm, "test_generations.jsonl"))).Distinct().Count() > 3, "the arms answer alike: the comparison would be vacuous");
        var oracle = Path.Combine(CodeCentricArm.Ablation[^1].Name, "test_generations_human_evidence.jsonl");
        Assert.Equal(File.ReadAllText(Path.Combine(local.RunsDir, oracle)), File.ReadAllText(Path.Combine(remote.RunsDir, oracle)));
        // The same metrics, CIs and p-values; the same out-of-domain answers (span prompts, span-only arm included); the backbone's mined spans.
        foreach (var file in ResultFiles)
        {
            var expected = ResultsTable.Read(Path.Combine(local.ResultsDir, file));
            Assert.NotEmpty(expected);
            Assert.Equal(expected, ResultsTable.Read(Path.Combine(remote.ResultsDir, file)));
        }
        Assert.Contains(ResultsTable.Read(Path.Combine(remote.ResultsDir, "ccl_ood.csv")), r => r.Arm == "span_only" && r.N == 4);
        Assert.Equal(File.ReadAllText(Path.Combine(local.ResultsDir, CodeCentricExperiment.ModelSilverPairsFile)),
            File.ReadAllText(Path.Combine(remote.ResultsDir, CodeCentricExperiment.ModelSilverPairsFile)));

        // Served arms are not trained here: no weights under the HTTP run's folders, no cost rows (in process: every trained arm has them).
        Assert.All(Directory.GetDirectories(remote.RunsDir), dir => Assert.Null(ModelFolder.Find(dir)));
        Assert.Empty(ResultsTable.Read(Path.Combine(remote.ResultsDir, "ccl_efficiency.csv")));
        var trained = CodeCentricArm.ModelNames.Where(n => n != "backbone").ToList();
        Assert.Equal(trained.Order(), ResultsTable.Read(Path.Combine(local.ResultsDir, "ccl_efficiency.csv")).Select(r => r.Arm).Distinct().Order());
        foreach (var arm in trained) Assert.Contains($"{arm}: served by {served.Endpoint} as '{arm}' (trained elsewhere", log.ToString());
    }

    [Fact]
    public void ForcedAnswerPrefixContinuesAsInProcess()
    {
        // "+ human evidence" forces the reference evidence as the start of the answer (vLLM's continue_final_message over
        // HTTP); the random backbone's continuation depends on it, and is the in-process one token for token.
        var test = served.Data.Test;
        var prompts = test.Select(c => CodeCentricPrompts.Document(c.Document, withEvidence: true)).ToList();
        var prefixes = test.Select(c => (string?)(CodeCentricOutput.Format(c.Evidence, [], served.Data.Names) + "\n")).ToList();
        var free = prompts.Select(_ => (AnswerGrammar)new AnswerGrammar.Free()).ToList();
        var local = new TorchModelBackend(log: TextWriter.Null).Generator(served.Options.Backbone!);
        var remote = new OpenAiModelBackend(new OpenAiEndpoint(served.Endpoint), OpenAiModelBackend.ParseModelsMap("backbone=tiny-backbone"), log: TextWriter.Null)
            .Generator(served.Options.Backbone!);
        var expected = local.Greedy(prompts, free, prefixes, maxNewTokens: 16);
        var actual = remote.Greedy(prompts, free, prefixes, maxNewTokens: 16);
        Assert.Equal(expected.Select(a => a.Text), actual.Select(a => a.Text));
        for (var i = 0; i < test.Count; i++)
        {
            Assert.Equal(expected[i].TokenProbabilities.Count, actual[i].TokenProbabilities.Count);
            for (var k = 0; k < expected[i].TokenProbabilities.Count; k++) Assert.Equal(expected[i].TokenProbabilities[k], actual[i].TokenProbabilities[k], 1e-5);
        }
        Assert.NotEqual(expected.Select(a => a.Text), remote.Greedy(prompts, free, null, maxNewTokens: 16).Select(a => a.Text));
    }

    [Fact]
    public void ReproduceCclRunsOnTheServedArms()
    {
        var models = Path.Combine(served.Root, "cli-models");
        var results = Path.Combine(served.Root, "cli-results");
        var run = Reliability.Cli.Run("reproduce", "--profile", "smoke", "--experiment", "ccl", "--models", models, "--out", results,
            "--backend", "openai", "--endpoint", served.Endpoint.ToString(), "--models-map", "backbone=tiny-backbone");
        Assert.True(run.Code == 0, run.Err);
        Assert.Contains($"backbone: served by {served.Endpoint} as 'tiny-backbone'", run.Err);
        var ablation = ResultsTable.Read(Path.Combine(results, "ccl_ablation.csv"));
        Assert.Equal(["zero_shot", "doc_codes", "doc_evidence", "gold_spans", "silver_synthetic", "human_evidence", "gold_spans_equal_steps", "silver_synthetic_equal_steps"],
            ablation.Select(r => r.Arm).Distinct());
        Assert.Empty(ResultsTable.Read(Path.Combine(results, "ccl_efficiency.csv")));
        // Only generations were written: no pretrained backbone, no fine-tuned arm.
        Assert.False(Directory.Exists(ModelLayout.Backbone(models)));
        Assert.All(Directory.GetFiles(models, "*", SearchOption.AllDirectories), f => Assert.EndsWith(".jsonl", f));
    }

    [Fact]
    public void CclChecksTheBackendOptionsBeforeAnyWork()
    {
        var dir = Path.Combine(served.Root, "cli-rejected");
        Reliability.Cli.Run("ccl", "--pairs-only", "--out", dir, "--backend", "openai").Fails(2, "--backend openai needs --endpoint");
        Reliability.Cli.Run("ccl", "--pairs-only", "--out", dir, "--backend", "openai", "--endpoint", served.Endpoint.ToString(), "--models-map", "doc_codes=a,line9=b")
            .Fails(2, "unknown role(s) line9", "span_only", "silver_synthetic_equal_steps");
        Assert.False(Directory.Exists(dir));
    }
}
