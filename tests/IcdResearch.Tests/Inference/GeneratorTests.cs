using IcdResearch.Inference;
using IcdResearch.Modeling;
using static TorchSharp.torch;
using Generator = IcdResearch.Inference.Generator;
using IcdResearch.Inference.Constraints;

namespace IcdResearch.Tests;

public class GeneratorTests
{
    static readonly TestCharTokenizer Tok = new();

    /// <summary>A random tiny model with a wide init so its next-token distributions are far from uniform.</summary>
    static Generator MakeGenerator(string type = "qwen2", int seed = 7)
    {
        TorchRuntime.EnsureLoaded();
        var config = ModelConfig.Tiny(type, vocabSize: Tok.VocabSize, headDim: type == "qwen3" ? 16 : null);
        config.InitializerRange = 0.3;
        return new Generator(new CausalLM(config, seed), Tok);
    }

    /// <summary>Next-token logits of a single unpadded sequence, recomputed from scratch, as doubles.</summary>
    static double[] NextLogits(CausalLM lm, IEnumerable<int> ids)
    {
        using var _ = no_grad();
        var list = ids.Select(i => (long)i).ToArray();
        using var logits = lm.Forward(tensor(list, [1, list.Length]));
        return logits[0, -1].data<float>().ToArray().Select(x => (double)x).ToArray();
    }

    [Fact]
    public void GreedyTakesTheArgmaxAndRecordsItsSoftmaxProbability()
    {
        var gen = MakeGenerator("qwen3");
        var prompt = Tok.Encode("the patient");
        var result = gen.Generate([prompt], GenerationOptions.Greedy(8) with { StopIds = [] }).Single();
        Assert.Equal(8, result.Tokens.Count);
        Assert.Equal(FinishReason.Length, result.FinishReason);
        var prefix = prompt.ToList();
        for (var i = 0; i < result.Tokens.Count; i++)
        {
            var logits = NextLogits(gen.Model, prefix);
            var max = logits.Max();
            var z = logits.Sum(l => Math.Exp(l - max));
            var p = logits.Select(l => Math.Exp(l - max) / z).ToArray();
            Assert.Equal(1.0, p.Sum(), 6);
            Assert.Equal(Array.IndexOf(logits, max), result.Tokens[i]);
            Assert.InRange(Math.Abs(p[result.Tokens[i]] - result.TokenProbabilities[i]), 0, 1e-5);
            prefix.Add(result.Tokens[i]);
        }
        Assert.Equal(Tok.Decode(result.Tokens), result.Text);
    }

    [Fact]
    public void NeverEmitsPaddedEmbeddingRowsBeyondTheTokenizerVocabulary()
    {
        TorchRuntime.EnsureLoaded();
        // Model vocabulary padded well past the tokenizer's; bias the padded rows' logits up so greedy would pick them.
        var config = ModelConfig.Tiny("qwen2", vocabSize: Tok.VocabSize + 64);
        config.InitializerRange = 0.3;
        var lm = new CausalLM(config, 3);
        using (no_grad())
        {
            var embed = lm.named_parameters().First(p => p.name == "model.embed_tokens.weight").parameter;
            embed.narrow(0, Tok.VocabSize, 64).mul_(50);
        }
        var gen = new Generator(lm, Tok);
        var unmasked = NextLogits(lm, Tok.Encode("fever"));
        Assert.True(Array.IndexOf(unmasked, unmasked.Max()) >= Tok.VocabSize, "setup: the raw argmax should be a padded row");
        var result = gen.Generate(["fever"], GenerationOptions.Greedy(6) with { StopIds = [] }).Single();
        Assert.Equal(6, result.Tokens.Count);
        Assert.All(result.Tokens, t => Assert.InRange(t, 0, Tok.VocabSize - 1));
    }

    [Fact]
    public void KvCacheAndBatchingGiveTheSameResultAsRecomputingEachPromptAlone()
    {
        var gen = MakeGenerator("llama");
        string[] prompts = ["a", "history of fever", "cough, pain"];
        var options = GenerationOptions.Greedy(6) with { StopIds = [] };
        var cached = gen.Generate(prompts, options);
        var recomputed = gen.Generate(prompts, options with { UseCache = false });
        for (var i = 0; i < prompts.Length; i++)
        {
            var alone = gen.Generate([prompts[i]], options with { UseCache = false }).Single();
            foreach (var other in new[] { cached[i], recomputed[i] })
            {
                Assert.Equal(alone.Tokens, other.Tokens);
                for (var t = 0; t < alone.Tokens.Count; t++) Assert.InRange(Math.Abs(alone.TokenProbabilities[t] - other.TokenProbabilities[t]), 0, 1e-5);
            }
        }
    }

    [Fact]
    public void SequencesThatStopEarlyLeaveTheBatchWithoutDisturbingTheOthers()
    {
        var gen = MakeGenerator("qwen3", seed: 3);
        string[] prompts = ["cough", "history of fever", "pain"];
        var free = gen.Generate(prompts, GenerationOptions.Greedy(6) with { StopIds = [] });
        // Stop on the third token of the middle prompt's free run: it (and any other hitting that token) ends early.
        var options = GenerationOptions.Greedy(6) with { StopIds = [free[1].Tokens[2]] };
        var batched = gen.Generate(prompts, options);
        Assert.Equal(FinishReason.Stop, batched[1].FinishReason);
        Assert.Equal(free[1].Tokens.Take(2), batched[1].Tokens);
        for (var i = 0; i < prompts.Length; i++)
        {
            var alone = gen.Generate([prompts[i]], options with { UseCache = false }).Single();
            Assert.Equal(alone.Tokens, batched[i].Tokens);
            Assert.Equal(alone.FinishReason, batched[i].FinishReason);
            for (var t = 0; t < alone.Tokens.Count; t++) Assert.InRange(Math.Abs(alone.TokenProbabilities[t] - batched[i].TokenProbabilities[t]), 0, 1e-5);
        }
    }

    [Fact]
    public void StopTokensEndTheSequenceAndAreNotReturned()
    {
        var gen = MakeGenerator();
        var prompt = Tok.Encode("fever");
        var free = gen.Generate([prompt], GenerationOptions.Greedy(3) with { StopIds = [] }).Single();
        var stopped = gen.Generate([prompt], GenerationOptions.Greedy(3) with { StopIds = [free.Tokens[1]] }).Single();
        Assert.Equal(FinishReason.Stop, stopped.FinishReason);
        Assert.Equal(free.Tokens.Take(1), stopped.Tokens);
    }

    [Fact]
    public void SeededSamplingIsReproducibleAndTopPNearZeroIsGreedy()
    {
        var gen = MakeGenerator();
        string[] prompts = ["cough", "a b"];
        var sampling = new GenerationOptions { MaxNewTokens = 10, DoSample = true, Temperature = 1.5, TopP = 0.95, Seed = 3, StopIds = [] };
        var first = gen.Generate(prompts, sampling);
        var again = gen.Generate(prompts, sampling);
        Assert.Equal(first.Select(r => r.Text), again.Select(r => r.Text));
        var others = Enumerable.Range(4, 4).Select(s => gen.Generate(prompts, sampling with { Seed = s })[0].Text).ToList();
        Assert.Contains(others, t => t != first[0].Text);

        var greedy = gen.Generate(prompts, GenerationOptions.Greedy(10) with { StopIds = [] });
        var nucleus = gen.Generate(prompts, sampling with { TopP = 1e-6 });
        Assert.Equal(greedy.Select(r => r.Text), nucleus.Select(r => r.Text));
    }

    [Fact]
    public void SharedPrefixRoundsEqualTheSameSeedsSampledOneByOne()
    {
        var gen = MakeGenerator();
        var prompt = Tok.Encode("history of fever");
        int[] seeds = [11, 12, 13, 14, 15, 16, 17, 18];
        var list = PrefixTrieConstraint.FromStrings(Tok, ["fever", "feverish cough", "pain", "cold"], separator: ";");
        foreach (var constraint in new IDecodingConstraint?[] { null, list })
        {
            var options = new GenerationOptions { MaxNewTokens = 12, DoSample = true, Temperature = 1.5, TopP = 0.9, StopIds = [], Constraint = constraint };
            // One batch of 8 rows sharing the prompt's prefill, each with its own seed ...
            var rounds = gen.Generate(Enumerable.Repeat(prompt, seeds.Length).ToList(), options with { Seeds = seeds });
            for (var i = 0; i < seeds.Length; i++)
            {
                // ... equals each seed's own sample generated alone, and by default row i is seeded Seed + i.
                var alone = gen.Generate([prompt], options with { Seed = seeds[i] }).Single();
                Assert.Equal(alone.Tokens, rounds[i].Tokens);
                for (var t = 0; t < alone.Tokens.Count; t++) Assert.InRange(Math.Abs(alone.TokenProbabilities[t] - rounds[i].TokenProbabilities[t]), 0, 1e-5);
            }
            Assert.True(rounds.Select(r => r.Text).Distinct().Count() > 1, "different seeds should give different samples");
            var byDefault = gen.Generate(Enumerable.Repeat(prompt, 3).ToList(), options with { Seed = seeds[0] });
            Assert.Equal(rounds.Take(3).Select(r => r.Tokens), byDefault.Select(r => r.Tokens));
        }
    }

    [Fact]
    public void RowsWithTheirOwnConstraintsAndCapsEqualEachRowAlone()
    {
        var gen = MakeGenerator("llama", seed: 4);
        var names = PrefixTrieConstraint.FromStrings(Tok, ["fever", "feverish cough", "pain"], separator: ";");
        var single = PrefixTrieConstraint.FromStrings(Tok, ["cold", "cough"]);
        string[] prompts = ["the patient has", "x", "history of fever"];
        IDecodingConstraint?[] constraints = [names, single, null];
        int[] caps = [12, 12, 3];
        var options = GenerationOptions.Greedy(12) with { StopIds = [], Constraints = constraints, RowMaxNewTokens = caps };
        var batched = gen.Generate(prompts, options);
        for (var i = 0; i < prompts.Length; i++)
        {
            var alone = gen.Generate([prompts[i]], GenerationOptions.Greedy(caps[i]) with { StopIds = [], Constraint = constraints[i] }).Single();
            Assert.Equal(alone.Tokens, batched[i].Tokens);
            Assert.Equal(alone.FinishReason, batched[i].FinishReason);
        }
        Assert.Equal(3, batched[2].Tokens.Count);
        Assert.Equal(FinishReason.Length, batched[2].FinishReason);
        Assert.Contains(batched[1].Text, new[] { "cold", "cough" });
    }

    [Fact]
    public void PrefixTrieConstraintOnlyYieldsAllowedStrings()
    {
        var gen = MakeGenerator("qwen3", seed: 2);
        string[] allowed = ["fever", "feverish cough", "pain", "cold"];
        var single = PrefixTrieConstraint.FromStrings(Tok, allowed);
        var list = PrefixTrieConstraint.FromStrings(Tok, allowed, separator: ";");
        string[] prompts = ["x", "the patient has", "cough"];
        for (var seed = 0; seed < 4; seed++)
        {
            var options = new GenerationOptions { MaxNewTokens = 40, DoSample = seed > 0, Temperature = 2.0, Seed = seed };
            foreach (var r in gen.Generate(prompts, options with { Constraint = single }))
            {
                Assert.Equal(FinishReason.Stop, r.FinishReason);
                Assert.Contains(r.Text, allowed);
            }
            foreach (var r in gen.Generate(prompts, options with { Constraint = list }))
            {
                Assert.NotEmpty(r.Text);
                var items = r.Text.Split(';');
                // A full item list (or, if cut by MaxNewTokens, a prefix of one for the last item).
                Assert.All(items.SkipLast(1), item => Assert.Contains(item, allowed));
                Assert.Contains(allowed, a => r.FinishReason == FinishReason.Stop ? a == items[^1] : a.StartsWith(items[^1]));
            }
        }
    }

    [Fact]
    public void PrefixTrieTracksPrefixesCompletionsAndSeparators()
    {
        var trie = new PrefixTrieConstraint([[5, 6], [5, 6, 7], [8]], separator: [9, 10]);
        Assert.Equal(3, trie.Count);
        Assert.Equal([5, 8], trie.AllowedTokens(trie.Start));
        var s = trie.Advance(trie.Start, 5);
        Assert.False(trie.CanStop(s));
        s = trie.Advance(s, 6);
        Assert.True(trie.CanStop(s));
        Assert.Equal([7, 9], trie.AllowedTokens(s));
        s = trie.Advance(trie.Advance(s, 9), 10);
        Assert.Equal(trie.Start, s);
        Assert.Throws<InvalidOperationException>(() => trie.Advance(trie.Start, 6));
        Assert.Throws<ArgumentException>(() => new PrefixTrieConstraint([[5], [5, 9]], separator: [9]));
        Assert.Throws<ArgumentException>(() => new PrefixTrieConstraint([]));
    }
}
