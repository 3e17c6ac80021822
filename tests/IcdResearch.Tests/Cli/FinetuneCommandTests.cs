using IcdResearch.Cli;
using IcdResearch.Modeling;
using IcdResearch.Text;
using IcdResearch.Tuning;

namespace IcdResearch.Tests;

[Collection(ConsoleCollection.Name)]
public class FinetuneCommandTests : IDisposable
{
    readonly string _dir = Path.Combine(Path.GetTempPath(), "icd-ftcli-" + Guid.NewGuid().ToString("N"));
    public void Dispose() { if (Directory.Exists(_dir)) Directory.Delete(_dir, true); }

    (int Code, string Output) Run(params string[] args)
    {
        var output = new StringWriter();
        var saved = Console.Out;
        try { Console.SetOut(output); return (Program.Main(args), output.ToString()); }
        finally { Console.SetOut(saved); }
    }

    [Fact]
    public void FinetunesFromAlpacaFilesWritesAPeftAdapterAndResumes()
    {
        TorchRuntime.EnsureLoaded();
        var examples = Enumerable.Range(0, 8).Select(i => new SftExample($"症状{i % 4}", i % 2 == 0 ? "感冒" : "肺炎")).ToList();
        LlamaFactoryExport.Write(examples, _dir, "toy");
        var model = Path.Combine(_dir, "model");
        var tokenizer = CharTokenizer.Build(examples.SelectMany(e => new[] { e.Prompt, e.Answer }), minFrequency: 1);
        new CausalLM(ModelConfig.Tiny("llama", vocabSize: tokenizer.VocabSize), seed: 2).SavePretrained(model);
        tokenizer.Save(model);
        var data = Path.Combine(_dir, "toy.json");
        var output = Path.Combine(_dir, "out");
        string[] common = ["finetune", "--model", model, "--train", data, "--dev", data, "--out", output, "--mode", "lora",
            "--epochs", "2", "--batch-size", "4", "--lr", "1e-2", "--lora-rank", "2", "--lora-target", "q_proj,v_proj", "--max-length", "64"];

        var (code, text) = Run([.. common, "--max-steps", "3"]);
        Assert.Equal(0, code);
        Assert.Contains("stopped early", text);
        (code, text) = Run(common);
        Assert.Equal(0, code);
        Assert.Contains("resumed from step 3", text);
        Assert.Contains("steps 4/4", text);

        var config = PeftAdapter.ReadConfig(Path.Combine(output, "final"));
        Assert.Equal(2, config.R);
        Assert.Equal(["q_proj", "v_proj"], config.TargetList());

        Assert.Equal(2, Run("finetune", "--model", model, "--train", data, "--out", output, "--mode", "dora").Code);
        Assert.Equal(2, Run("finetune", "--model", model, "--train", Path.Combine(_dir, "missing.json"), "--out", output).Code);
    }
}
