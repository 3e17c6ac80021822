using System.Text.Json;
using IcdResearch.Cli;
using IcdResearch.Modeling;
using IcdResearch.Text;

namespace IcdResearch.Tests;

/// <summary>Runs `icd generate` in-process on a self-contained random model folder (weights + char tokenizer).</summary>
[Collection(ConsoleCollection.Name)]
public class GenerateCommandTests
{
    [Fact]
    public void ConstrainedGenerationPrintsAllowedTextsWithProbabilities()
    {
        TorchRuntime.EnsureLoaded();
        var dir = Path.Combine(Path.GetTempPath(), $"icd-gen-{Guid.NewGuid():N}");
        var tokenizer = CharTokenizer.Build(["发热咳嗽头痛", "肺炎 高血压"], minFrequency: 1);
        var config = ModelConfig.Tiny("qwen2", vocabSize: tokenizer.VocabSize);
        config.InitializerRange = 0.3;
        new CausalLM(config, seed: 5).SavePretrained(dir);
        tokenizer.Save(dir);
        var allowed = Path.Combine(dir, "allowed.txt");
        File.WriteAllLines(allowed, ["肺炎", "高血压", "头痛"]);

        var saved = Console.Out;
        var output = new StringWriter();
        int rc;
        try
        {
            Console.SetOut(output);
            rc = Program.Main(["generate", "--model", dir, "--prompt", "发热", "--prompt", "咳嗽头痛", "--allowed", allowed, "--separator", " ", "--max-new-tokens", "12"]);
        }
        finally { Console.SetOut(saved); }
        Assert.Equal(0, rc);
        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        foreach (var line in lines)
        {
            using var doc = JsonDocument.Parse(line);
            var root = doc.RootElement;
            var items = root.GetProperty("text").GetString()!.Split(' ');
            Assert.All(items.SkipLast(1), i => Assert.Contains(i, new[] { "肺炎", "高血压", "头痛" }));
            var probs = root.GetProperty("token_probabilities").EnumerateArray().Select(p => p.GetDouble()).ToList();
            Assert.Equal(root.GetProperty("tokens").GetArrayLength(), probs.Count);
            Assert.All(probs, p => Assert.InRange(p, 1e-9, 1.0));
            Assert.Equal(probs.Average(), root.GetProperty("mean_probability").GetDouble(), 9);
        }
        Directory.Delete(dir, true);
    }
}
