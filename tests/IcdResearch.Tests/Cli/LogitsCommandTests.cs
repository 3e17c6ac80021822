using System.Text.Json;
using IcdResearch.Cli;
using IcdResearch.Modeling;
using static TorchSharp.torch;

namespace IcdResearch.Tests;

[Collection(ConsoleCollection.Name)]
public class LogitsCommandTests
{
    [Fact]
    public void PrintsOneRoundTripLogitRowPerPosition()
    {
        TorchRuntime.EnsureLoaded();
        var dir = Path.Combine(Path.GetTempPath(), $"icd-logits-{Guid.NewGuid():N}");
        var lm = new CausalLM(ModelConfig.Tiny("qwen2", vocabSize: 50), seed: 4);
        lm.SavePretrained(dir, ScalarType.BFloat16);
        var output = new StringWriter();
        var saved = Console.Out;
        int rc;
        try
        {
            Console.SetOut(output);
            rc = Program.Main(["logits", "--model", dir, "--ids", "3, 1,4"]);
        }
        finally { Console.SetOut(saved); }
        Assert.Equal(0, rc);
        var rows = JsonSerializer.Deserialize<float[][]>(output.ToString())!;
        Assert.Equal(3, rows.Length);
        Assert.All(rows, r => Assert.Equal(50, r.Length));

        // Same numbers as the library on the re-loaded (bf16-rounded) weights, bit for bit.
        using var expected = CausalLM.FromPretrained(dir).Forward(tensor(new long[] { 3, 1, 4 }, [1, 3]));
        Assert.Equal(expected.data<float>().ToArray(), rows.SelectMany(r => r).ToArray());

        Assert.Equal(2, Program.Main(["logits", "--model", dir, "--ids", "3,50"]));   // out-of-vocabulary id
        Directory.Delete(dir, true);
    }
}
