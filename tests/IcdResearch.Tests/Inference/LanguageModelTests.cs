using IcdResearch.Inference;
using IcdResearch.Modeling;
using IcdResearch.Ner;
using IcdResearch.Pipelines.SystemA;
using IcdResearch.Inference.Constraints;

namespace IcdResearch.Tests;

/// <summary>The grammar-constrained generator on a real (tiny, random) TorchSharp model: every output obeys its grammar.</summary>
public class LanguageModelTests
{
    [Fact]
    public void RandomModelOnlyEmitsValidAnswersWithProbabilities()
    {
        TorchRuntime.EnsureLoaded();
        var tokenizer = new FakeCharTokenizer();
        string[] names = ["心律失常", "心房颤动", "2型糖尿病", "高脂血症"];
        const string source = "既往2型糖尿病。";
        foreach (var text in names.Append(source).Append("任务：临床信息候选疾病文本；;[]无")) tokenizer.Encode(text); // grow the vocabulary
        using var model = new CausalLM(ModelConfig.Tiny(vocabSize: 96), seed: 7);
        var generator = new LanguageModel(model, tokenizer);

        var one = new AnswerGrammar.OneName(names);
        var greedy = generator.Greedy(["任务：临床信息", "候选疾病"], [one, one]);
        Assert.All(greedy, a => Assert.Contains(a.Text, names));
        Assert.All(greedy, a => Assert.All(a.TokenProbabilities, p => Assert.InRange(p, 0.0, 1.0)));
        Assert.All(greedy, a => Assert.InRange(a.Confidence, 0.0, 1.0));
        // Greedy answers carry each step's runner-up (best other token) for the margin score: one per token, and the
        // emitted and the runner-up token share one softmax, so their probabilities add up to at most 1.
        Assert.All(greedy, a =>
        {
            Assert.Equal(a.TokenProbabilities.Count, a.RunnerUpProbabilities.Count);
            for (var t = 0; t < a.TokenProbabilities.Count; t++) Assert.InRange(a.TokenProbabilities[t] + a.RunnerUpProbabilities[t], 0.0, 1.0 + 1e-6);
            Assert.Contains(a.RunnerUpProbabilities, r => r > 0);
        });

        var samples = generator.Sample("任务：临床信息", new AnswerGrammar.NameSet(names), count: 6, seed: 3);
        Assert.Equal(6, samples.Count);
        foreach (var s in samples)
        {
            if (s.Text == DiseaseCandidates.None) continue;
            var ranks = s.Text.Split(';').Select(p => Array.IndexOf(names, p)).ToList();
            Assert.All(ranks, r => Assert.True(r >= 0, s.Text));
            Assert.Equal(ranks.Order().Distinct(), ranks);
        }

        var copy = generator.Greedy(["文本"], [new AnswerGrammar.BracketCopy(source)])[0];
        Assert.Equal(source, BracketFormat.Parse(copy.Text).Text);
    }

    [Fact]
    public void AnAnswerDoesNotDependOnThePromptsBatchedWithIt()
    {
        // icd predict --batch 1 and --batch 16 must agree: left padding and batch composition leave each answer as it is alone.
        TorchRuntime.EnsureLoaded();
        var tokenizer = new FakeCharTokenizer();
        string[] names = ["心律失常", "心房颤动", "2型糖尿病", "高脂血症"];
        string[] prompts = ["任务：临床信息", "候选疾病：心律失常；心房颤动；高脂血症", "文本"];
        foreach (var text in names.Concat(prompts)) tokenizer.Encode(text);
        using var model = new CausalLM(ModelConfig.Tiny(vocabSize: 128), seed: 11);
        var generator = new LanguageModel(model, tokenizer);
        var one = new AnswerGrammar.OneName(names);
        var together = generator.Greedy(prompts, [one, one, one]);
        for (var i = 0; i < prompts.Length; i++)
        {
            var alone = generator.Greedy([prompts[i]], [one])[0];
            Assert.Equal(alone.Text, together[i].Text);
            Assert.Equal(alone.Confidence, together[i].Confidence, 5);
        }
    }

    [Fact]
    public void AnAnswerPrefixIsForcedAndNotReturned()
    {
        TorchRuntime.EnsureLoaded();
        var tokenizer = new FakeCharTokenizer();
        foreach (var text in new[] { "证据：胸痛。编码：I20.0", "任务" }) tokenizer.Encode(text);
        using var model = new CausalLM(ModelConfig.Tiny(vocabSize: 128), seed: 5);
        var generator = new LanguageModel(model, tokenizer);
        var free = new AnswerGrammar.Free();
        var prefixed = generator.Greedy(["任务"], [free], ["证据："], maxNewTokens: 6)[0];
        Assert.Equal(tokenizer.Encode("证据：").Count + generator.Render("任务").Count, generator.Render("任务", "证据：").Count);
        Assert.True(prefixed.TokenProbabilities.Count <= 6);
        // The continuation is what the model generates after the forced prefix, i.e. generation from the longer prompt.
        var ids = generator.Render("任务", "证据：");
        var expected = new Generator(model, tokenizer).Generate([ids], GenerationOptions.Greedy(6)).Single();
        Assert.Equal(expected.Text, prefixed.Text);
    }
}
