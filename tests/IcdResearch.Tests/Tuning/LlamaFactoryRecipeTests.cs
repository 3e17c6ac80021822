using System.Text.Json;
using IcdResearch.Cli;
using IcdResearch.Modeling;
using IcdResearch.Pipelines.SystemA;
using IcdResearch.Tuning;
using static TorchSharp.torch;

namespace IcdResearch.Tests;

/// <summary>
/// `icd export-sft --task system-a --base-model …` writes, per System A model, datasets plus a LLaMA-Factory training YAML
/// whose keys are LLaMA-Factory's documented argument names and whose values are Lv et al.'s Table 1; the adapter such a
/// run produces (PEFT layout) loads here, merged, with the outputs of the adapted model.
/// </summary>
public sealed class LlamaFactoryRecipeTests : IDisposable
{
    readonly string _dir = Path.Combine(Path.GetTempPath(), "icd-llamafactory-" + Guid.NewGuid().ToString("N"));
    public void Dispose() { if (Directory.Exists(_dir)) Directory.Delete(_dir, true); }

    /// <summary>
    /// The LLaMA-Factory argument names the YAML relies on, as documented by LLaMA-Factory (hiyouga/LLaMA-Factory):
    /// src/llamafactory/hparams/model_args.py (ModelArguments, QuantizationArguments), data_args.py (DataArguments),
    /// finetuning_args.py (FinetuningArguments, LoraArguments), and the Hugging Face transformers
    /// Seq2SeqTrainingArguments it extends (training_args.py); the same keys appear in its examples/train_qlora/*.yaml
    /// and examples/train_lora/llama3_lora_sft.yaml.
    /// </summary>
    static readonly HashSet<string> Documented =
    [
        // ModelArguments / QuantizationArguments
        "model_name_or_path", "quantization_bit", "quantization_method", "trust_remote_code",
        // FinetuningArguments / LoraArguments
        "stage", "finetuning_type", "lora_target", "lora_rank", "lora_alpha", "lora_dropout", "plot_loss",
        // DataArguments
        "dataset_dir", "dataset", "eval_dataset", "template", "cutoff_len", "overwrite_cache", "preprocessing_num_workers",
        // transformers Seq2SeqTrainingArguments
        "do_train", "output_dir", "logging_steps", "save_strategy", "overwrite_output_dir", "report_to",
        "per_device_train_batch_size", "gradient_accumulation_steps", "optim", "learning_rate", "num_train_epochs",
        "lr_scheduler_type", "warmup_ratio", "bf16", "seed", "per_device_eval_batch_size", "eval_strategy",
    ];

    /// <summary>The flat "key: value" lines of a YAML file (comments and section headers skipped).</summary>
    static Dictionary<string, string> ReadYaml(string path) => File.ReadLines(path)
        .Where(l => l.Length > 0 && !l.StartsWith('#'))
        .Select(l => l.Split(':', 2)).ToDictionary(p => p[0].Trim(), p => p[1].Trim());

    [Fact]
    public void ExportWritesOneTable1YamlPerSystemAModelWithDocumentedKeys()
    {
        Assert.Equal(0, Program.Main(["export-sft", "--task", "system-a", "--profile", "smoke", "--out", _dir,
            "--base-model", "Qwen/Qwen2.5-7B-Instruct", "--rejudge-base-model", "deepseek-ai/DeepSeek-R1-Distill-Qwen-7B"]));
        using var info = JsonDocument.Parse(File.ReadAllText(Path.Combine(_dir, LlamaFactoryExport.DatasetInfoFile)));
        foreach (var role in SystemAExperiment.ModelNames)
        {
            var yaml = ReadYaml(Path.Combine(_dir, role + ".yaml"));
            Assert.DoesNotContain(yaml.Keys, k => !Documented.Contains(k));
            // Table 1: QLoRA 4-bit, 10 epochs, LoRA dropout 0.05, AdamW, batch 2, cutoff 5120, lr 1e-4.
            Assert.Equal("4", yaml["quantization_bit"]);
            Assert.Equal("lora", yaml["finetuning_type"]);
            Assert.Equal(10.0, double.Parse(yaml["num_train_epochs"], System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal(0.05, double.Parse(yaml["lora_dropout"], System.Globalization.CultureInfo.InvariantCulture));
            Assert.StartsWith("adamw", yaml["optim"]);
            Assert.Equal("2", yaml["per_device_train_batch_size"]);
            Assert.Equal("5120", yaml["cutoff_len"]);
            Assert.Equal(1e-4, double.Parse(yaml["learning_rate"], System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal(role == "rejudge" ? "deepseek-ai/DeepSeek-R1-Distill-Qwen-7B" : "Qwen/Qwen2.5-7B-Instruct", yaml["model_name_or_path"]);
            Assert.Equal(role == "rejudge" ? "deepseekr1" : "qwen", yaml["template"]);
            // The datasets it names are registered next to it, and hold the examples.
            foreach (var dataset in new[] { yaml["dataset"], yaml["eval_dataset"] })
            {
                var file = info.RootElement.GetProperty(dataset).GetProperty("file_name").GetString()!;
                Assert.NotEmpty(LlamaFactoryExport.Read(Path.Combine(yaml["dataset_dir"], file)));
            }
        }
    }

    [Fact]
    public void AnAdapterTrainedWithTheRecipeLoadsMergedWithTheAdaptedOutputs()
    {
        TorchRuntime.EnsureLoaded();
        var recipe = new LlamaFactoryRecipe { BaseModel = Path.Combine(_dir, "base") };
        var tokenizer = IcdResearch.Text.CharTokenizer.Build(["abcdefg 高血压病"], minFrequency: 1);
        using (var baseModel = new CausalLM(ModelConfig.Tiny("qwen2", vocabSize: tokenizer.VocabSize), seed: 3)) baseModel.SavePretrained(recipe.BaseModel);
        tokenizer.Save(recipe.BaseModel);

        // What LLaMA-Factory's lora_target: all / lora_rank / lora_alpha / lora_dropout produce: adapters on every projection.
        var adapted = CausalLM.FromPretrained(recipe.BaseModel);
        LoraInjector.Apply(adapted, new LoraConfig { Rank = recipe.LoraRank, Alpha = recipe.LoraAlpha, Dropout = recipe.LoraDropout, TargetModules = LoraConfig.AllProjections });
        using (no_grad()) foreach (var a in LoraInjector.Adapters(adapted).Values) a.LoraB.normal_(0, 0.05, new TorchSharp.torch.Generator(5));
        adapted.eval();
        var adapterDir = Path.Combine(_dir, "saves", "primary");
        PeftAdapter.Save(adapted, adapterDir, recipe.BaseModel);

        var loaded = IcdResearch.Inference.LanguageModel.Load(adapterDir).Model;  // what `icd serve --model primary=saves/primary` loads
        using var ids = tensor(new long[] { 5, 9, 17, 3, 40, 41, 7, 8 }, [2, 4]);
        using var expected = adapted.Forward(ids);
        using var actual = loaded.Forward(ids);
        Assert.True(expected.allclose(actual, rtol: 1e-5, atol: 1e-5));
        Assert.Empty(LoraInjector.Adapters(loaded));   // merged: a plain model, as vLLM would serve base + adapter
    }
}
