using System.Globalization;
using System.Text;

namespace IcdResearch.Tuning;

/// <summary>
/// A ready-to-run LLaMA-Factory training config (<c>llamafactory-cli train NAME.yaml</c>) for one System A model with
/// Lv et al.'s Table 1 settings: QLoRA on a 4-bit (bitsandbytes NF4) base, 10 epochs, LoRA dropout 0.05, AdamW,
/// per-device batch 2, cutoff length 5120, learning rate 1e-4. Keys are LLaMA-Factory's argument names (its
/// ModelArguments, DataArguments, FinetuningArguments and the Hugging Face Seq2SeqTrainingArguments it extends), laid
/// out as in its examples/train_qlora/*.yaml. The adapter it writes is a PEFT folder that <see cref="PeftAdapter"/> loads.
/// </summary>
public sealed record LlamaFactoryRecipe
{
    /// <summary>Hugging Face id or local path of the base model (e.g. Qwen/Qwen2.5-7B-Instruct).</summary>
    public required string BaseModel { get; init; }
    /// <summary>LLaMA-Factory chat template name; null = guessed from the base model (<see cref="TemplateFor"/>).</summary>
    public string? Template { get; init; }
    public int Epochs { get; init; } = 10;
    public double LoraDropout { get; init; } = 0.05;
    public int PerDeviceBatchSize { get; init; } = 2;
    public int CutoffLength { get; init; } = 5120;
    public double LearningRate { get; init; } = 1e-4;
    public int QuantizationBits { get; init; } = 4;
    /// <summary>Not given in Table 1: LLaMA-Factory's example values (rank 8, α 16, every linear projection).</summary>
    public int LoraRank { get; init; } = 8;
    public int LoraAlpha { get; init; } = 16;
    public int Seed { get; init; } = 42;

    /// <summary>The chat template LLaMA-Factory uses for a base model family.</summary>
    public static string TemplateFor(string baseModel)
    {
        var m = baseModel.ToLowerInvariant();
        if (m.Contains("deepseek-r1")) return "deepseekr1";
        if (m.Contains("qwen3")) return "qwen3";
        if (m.Contains("qwen")) return "qwen";
        if (m.Contains("llama-3") || m.Contains("llama3")) return "llama3";
        throw new ArgumentException($"no LLaMA-Factory template known for '{baseModel}'; give one (--template)");
    }

    /// <summary>
    /// The YAML for training <paramref name="trainDataset"/> (evaluated on <paramref name="devDataset"/>) from the
    /// datasets registered in <paramref name="datasetDir"/>/dataset_info.json into <paramref name="outputDir"/>.
    /// </summary>
    public string Yaml(string trainDataset, string? devDataset, string datasetDir, string outputDir)
    {
        string F(double v) => v.ToString("0.0#####", CultureInfo.InvariantCulture);
        var y = new StringBuilder();
        y.AppendLine("# LLaMA-Factory training config written by `icd export-sft` (Lv et al. Table 1: QLoRA 4-bit, 10 epochs,");
        y.AppendLine("# LoRA dropout 0.05, AdamW, batch 2, cutoff 5120, lr 1e-4). Run: llamafactory-cli train THIS_FILE");
        y.AppendLine("### model");
        y.AppendLine($"model_name_or_path: {BaseModel}");
        y.AppendLine($"quantization_bit: {QuantizationBits}");
        y.AppendLine("quantization_method: bnb");
        y.AppendLine("trust_remote_code: true");
        y.AppendLine("### method");
        y.AppendLine("stage: sft");
        y.AppendLine("do_train: true");
        y.AppendLine("finetuning_type: lora");
        y.AppendLine("lora_target: all");
        y.AppendLine($"lora_rank: {LoraRank}");
        y.AppendLine($"lora_alpha: {LoraAlpha}");
        y.AppendLine($"lora_dropout: {F(LoraDropout)}");
        y.AppendLine("### dataset");
        y.AppendLine($"dataset_dir: {datasetDir}");
        y.AppendLine($"dataset: {trainDataset}");
        y.AppendLine($"template: {Template ?? TemplateFor(BaseModel)}");
        y.AppendLine($"cutoff_len: {CutoffLength}");
        y.AppendLine("overwrite_cache: true");
        y.AppendLine("preprocessing_num_workers: 4");
        y.AppendLine("### output");
        y.AppendLine($"output_dir: {outputDir}");
        y.AppendLine("logging_steps: 10");
        y.AppendLine("save_strategy: epoch");
        y.AppendLine("plot_loss: true");
        y.AppendLine("overwrite_output_dir: true");
        y.AppendLine("report_to: none");
        y.AppendLine("### train");
        y.AppendLine($"per_device_train_batch_size: {PerDeviceBatchSize}");
        y.AppendLine("gradient_accumulation_steps: 1");
        y.AppendLine("optim: adamw_torch");
        y.AppendLine($"learning_rate: {LearningRate.ToString("0.0e+0", CultureInfo.InvariantCulture)}");
        y.AppendLine($"num_train_epochs: {F(Epochs)}");
        y.AppendLine("lr_scheduler_type: cosine");
        y.AppendLine("warmup_ratio: 0.1");
        y.AppendLine("bf16: true");
        y.AppendLine($"seed: {Seed}");
        if (devDataset is not null)
        {
            y.AppendLine("### eval");
            y.AppendLine($"eval_dataset: {devDataset}");
            y.AppendLine($"per_device_eval_batch_size: {PerDeviceBatchSize}");
            y.AppendLine("eval_strategy: epoch");
        }
        return y.ToString();
    }

    /// <summary>Writes <c>directory/name.yaml</c> (datasets read from <paramref name="directory"/> as given: relative to where llamafactory-cli runs); returns its path.</summary>
    public string Write(string directory, string name, string trainDataset, string? devDataset, string outputDir)
    {
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, name + ".yaml");
        File.WriteAllText(path, Yaml(trainDataset, devDataset, directory, outputDir));
        return path;
    }
}
