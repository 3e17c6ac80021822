using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using IcdResearch.Modeling;
using IcdResearch.Pipelines.SystemA;
using IcdResearch.Text;
using static TorchSharp.torch;

namespace IcdResearch.Tests.Reliability;

/// <summary>
/// Issue 12, class "models checked as a whole": a tokenizer that does not belong to the model (larger or far smaller
/// than vocab_size), non-finite weights, overlapping safetensors data and prompts longer than the model's context fail
/// on load or on the prompt, naming the folder/file — and `icd predict` fails (non-zero, nothing written) when its
/// models cannot answer, with a counted, reported fallback only for a record whose own text is unusable.
/// </summary>
[Collection(ConsoleCollection.Name)]
public class ModelLoadTests : IDisposable
{
    readonly string _dir = TempFile.Dir();
    public void Dispose() { if (Directory.Exists(_dir)) Directory.Delete(_dir, true); }

    static readonly string[] Texts = ["胸痛2天，既往高血压", "冠心病 心绞痛 房颤", "糖尿病 高脂血症", "发热咳嗽头痛 肺炎", "临床信息：主诉 入院诊断 现病史"];

    /// <summary>A random tiny model folder whose character tokenizer covers <see cref="Texts"/>; <paramref name="vocabDelta"/> shifts config vocab_size.</summary>
    string Model(string name, int vocabDelta = 0, int maxPositions = 512, bool nanWeight = false)
    {
        TorchRuntime.EnsureLoaded();
        var dir = Path.Combine(_dir, name);
        var tokenizer = CharTokenizer.Build(Texts, minFrequency: 1);
        var config = ModelConfig.Tiny("qwen2", vocabSize: tokenizer.VocabSize + vocabDelta);
        config.MaxPositionEmbeddings = maxPositions;
        using var model = new CausalLM(config, seed: 3);
        if (nanWeight)
            using (no_grad()) model.named_parameters().First(p => p.name.EndsWith("q_proj.weight")).parameter[0, 0] = float.NaN;
        model.SavePretrained(dir);
        tokenizer.Save(dir);
        return dir;
    }

    [Fact]
    public void ATokenizerLargerThanTheModelFailsOnLoad()
    {
        var dir = Model("larger-tokenizer", vocabDelta: -8);
        Cli.Run("generate", "--model", dir, "--prompt", "胸痛").Fails(2, dir, "tokenizer", "embedding rows");
    }

    [Fact]
    public void ATokenizerFarSmallerThanTheModelFailsOnLoad()
    {
        var dir = Model("smaller-tokenizer", vocabDelta: 500);
        Cli.Run("generate", "--model", dir, "--prompt", "胸痛").Fails(2, dir, "rows no token reaches");
    }

    [Fact]
    public void VocabularyErrorsNameTheFile()
    {
        var dir = Model("bad-vocab");
        var vocab = Path.Combine(dir, CharTokenizer.VocabFileName);
        File.WriteAllText(vocab, """{"tokens": ["<unk>", "<|endoftext|>", "<|im_start|>", "胸", "胸"]}""");
        Cli.Run("generate", "--model", dir, "--prompt", "胸痛").Fails(2, vocab, "twice");
        File.WriteAllText(vocab, """{"tokens": ["<unk>", "<|endoftext|>", "胸"]}""");
        Cli.Run("generate", "--model", dir, "--prompt", "胸痛").Fails(2, vocab, "special token");
        File.WriteAllText(vocab, """{"tokens": ["<unk>", """);
        Cli.Run("tokenize", "--tokenizer", dir, "--text", "胸痛").Fails(2, vocab, "truncated");
    }

    [Fact]
    public void ANonFiniteWeightFailsOnLoadNamingTheTensor()
    {
        var dir = Model("nan-weight", nanWeight: true);
        Cli.Run("generate", "--model", dir, "--prompt", "胸痛").Fails(2, dir, "non-finite", "q_proj.weight");
    }

    [Fact]
    public void OverlappingSafetensorsDataIsRejected()
    {
        var path = Path.Combine(_dir, "overlap.safetensors");
        var header = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["a"] = new { dtype = "F32", shape = new[] { 4 }, data_offsets = new[] { 0, 16 } },
            ["b"] = new { dtype = "F32", shape = new[] { 4 }, data_offsets = new[] { 8, 24 } },
        }));
        var bytes = new byte[8 + header.Length + 24];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)header.Length);
        header.CopyTo(bytes, 8);
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<InvalidDataException>(() => SafeTensors.Load(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("b: data_offsets [8,24] overlap a [0,16]", e.Message);
    }

    [Fact]
    public void AModelFolderWithOverlappingTensorDataFailsOnLoad()
    {
        var dir = Model("overlap");
        var file = Path.Combine(dir, SafeTensors.SingleFile);
        var bytes = File.ReadAllBytes(file);
        var length = (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        var header = System.Text.Json.Nodes.JsonNode.Parse(Encoding.UTF8.GetString(bytes, 8, length))!.AsObject();
        // Point layer 1's q_proj at layer 0's bytes (same shape): both tensors would silently share one set of weights.
        header["model.layers.1.self_attn.q_proj.weight"]!["data_offsets"] = header["model.layers.0.self_attn.q_proj.weight"]!["data_offsets"]!.DeepClone();
        var json = Encoding.UTF8.GetBytes(header.ToJsonString());
        var padded = (json.Length + 7) / 8 * 8;
        var rewritten = new byte[8 + padded + (bytes.Length - 8 - length)];
        BinaryPrimitives.WriteUInt64LittleEndian(rewritten, (ulong)padded);
        json.CopyTo(rewritten, 8);
        rewritten.AsSpan(8 + json.Length, padded - json.Length).Fill((byte)' ');
        bytes.AsSpan(8 + length).CopyTo(rewritten.AsSpan(8 + padded));
        File.WriteAllBytes(file, rewritten);
        Cli.Run("generate", "--model", dir, "--prompt", "胸痛").Fails(2, file, "model.layers.1.self_attn.q_proj.weight", "overlap");
    }

    [Fact]
    public void APromptLongerThanTheModelsContextIsAnError()
    {
        var dir = Model("short-context", maxPositions: 16);
        Cli.Run("generate", "--model", dir, "--prompt", string.Concat(Enumerable.Repeat("胸痛", 20))).Fails(2, "40 tokens", "max_position_embeddings");
    }

    /// <summary>A models folder as `icd reproduce` writes it, every model being <paramref name="model"/>.</summary>
    string ModelsFolder(string model)
    {
        var models = Directory.CreateDirectory(Path.Combine(_dir, "models")).FullName;
        var config = new SystemAConfig
        {
            PrimaryCandidates = [new("I20.000", "心绞痛"), new("I48.x01", "房颤")],
            OtherCandidates = [new("I10.x00x032", "高血压"), new("E11.900", "糖尿病")],
            Models = new[] { "backbone", "primary", "rejudge", "other_direct", "other_ner", "ner" }.ToDictionary(k => k, _ => Path.GetFullPath(model)),
            Database = [new("T1", "冠心病 心绞痛", "胸痛2天", "I20.000"), new("T2", "房颤", "心悸", "I48.x01")],
            SamplesPerModel = 2, EnsembleVoteThreshold = 1,
        };
        config.Save(models);
        return models;
    }

    [Fact]
    public void PredictFailsWithoutWritingWhenAModelCannotBeLoaded()
    {
        var models = ModelsFolder(Model("broken", vocabDelta: -8));
        var input = Path.Combine(_dir, "records.json");
        File.WriteAllText(input, """[{"病案标识": "A1", "主诉": "胸痛2天", "入院诊断": "冠心病"}]""");
        var output = Path.Combine(_dir, "pred.json");
        Cli.Run("predict", "--models", models, "--input", input, "--out", output).Fails(2, "tokenizer and model do not fit");
        Assert.False(File.Exists(output));
    }

    [Fact]
    public void PredictCountsAndReportsTheFallbackForARecordWithoutText()
    {
        var models = ModelsFolder(Model("working"));
        var input = Path.Combine(_dir, "records.json");
        File.WriteAllText(input, """[{"病案标识": "A1", "主诉": "胸痛2天", "入院诊断": "冠心病"}, {"病案标识": "A2"}]""");
        var output = Path.Combine(_dir, "pred.json");
        var result = Cli.Run("predict", "--models", models, "--input", input, "--out", output);
        Assert.True(result.Code == 0, result.Err);
        Assert.Contains("1 of 2 records has unusable text and got the fallback prediction", result.Err);
        Assert.Contains("A2", result.Err);
        Assert.Equal(["A1", "A2"], Evaluation.SubmissionFormat.Read(output).Select(p => p.Id));
    }

    [Fact]
    public void PredictFailsWhenNoRecordCanBeAnswered()
    {
        var models = ModelsFolder(Model("working"));
        var input = Path.Combine(_dir, "records.json");
        File.WriteAllText(input, """[{"病案标识": "A1"}, {"病案标识": "A2", "主诉": ""}]""");
        var output = Path.Combine(_dir, "pred.json");
        Cli.Run("predict", "--models", models, "--input", input, "--out", output).Fails(2, "no answer for any of the 2 records");
        Assert.False(File.Exists(output));
    }
}
