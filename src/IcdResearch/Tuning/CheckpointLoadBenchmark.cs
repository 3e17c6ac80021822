using System.Buffers.Binary;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using IcdResearch.Inference;
using IcdResearch.Modeling;
using IcdResearch.Text;
using static TorchSharp.torch;

namespace IcdResearch.Tuning;

/// <summary>One way of loading the checkpoint, measured: the loaded model's resident weight bytes, load time, the process's peak RSS during the load, greedy speed.</summary>
public sealed record CheckpointLoadMeasurement(
    string Load, string LoadedDtype, long WeightBytes, double LoadSeconds, long RssBeforeLoad, long PeakRss, int NewTokens, double GreedyTokensPerSecond);

/// <summary>Loading and running a real-sized checkpoint on this machine (issue 15): memory against size on disk, speed against bandwidth.</summary>
public sealed record CheckpointLoadReport(string Shape, long Parameters, long BytesOnDisk, double CopyBytesPerSecond,
    CheckpointLoadMeasurement Bf16, CheckpointLoadMeasurement Nf4)
{
    /// <summary>Issue 15's allowance for an NF4 load: 0.6 bytes per parameter + 1 GB (10⁹ bytes) for everything else.</summary>
    public long Nf4TargetBytes => (long)(0.6 * Parameters) + 1_000_000_000;
    /// <summary>Peak resident memory of the whole process over the checkpoint's size (issue target ≤ 1.3 with bf16 kept).</summary>
    public double Bf16PeakOverSize => (double)Bf16.PeakRss / BytesOnDisk;
    public bool MeetsBf16Target => Bf16PeakOverSize <= 1.3;
    /// <summary>Peak resident memory of the whole process per parameter when loading to NF4.</summary>
    public double Nf4PeakBytesPerParameter => (double)Nf4.PeakRss / Parameters;
    public bool MeetsNf4Target => Nf4.PeakRss <= Nf4TargetBytes;
    /// <summary>
    /// Memory-bandwidth limit of greedy decoding: every resident weight byte is read once per token (as
    /// <see cref="DecodingThroughput"/>). For NF4 this is a loose bound: each projection is dequantised to a dense temporary per token.
    /// </summary>
    public double BandwidthLimitTokensPerSecond(CheckpointLoadMeasurement m) => CopyBytesPerSecond / m.WeightBytes;
}

/// <summary>
/// `icd bench --checkpoint qwen2.5-1.5b`: writes a random-weight BF16 checkpoint with Qwen2.5-1.5B's shapes
/// (1.54 B parameters, 3.1 GB) to a temporary folder, tensor by tensor, then measures <see cref="CausalLM.FromPretrained"/>
/// twice in one process: with NF4 projections (`--dtype nf4`, first, so nothing of the larger load is left in the
/// process) and with dtype auto (bf16 kept). Each time: load time, the process's peak RSS during the load (VmHWM, reset
/// first) against the size on disk (bf16) or the parameter count (NF4), and greedy KV-cache tokens/s; the copy bandwidth
/// <see cref="Benchmark.CopyBytesPerSecond"/> ÷ weight bytes read per token gives the bandwidth limit.
/// </summary>
public static class CheckpointLoadBenchmark
{
    /// <summary>Qwen2.5-1.5B(-Instruct)'s config.json values.</summary>
    public static ModelConfig Qwen25_1_5B() => new()
    {
        ModelType = "qwen2", Architectures = ["Qwen2ForCausalLM"], VocabSize = 151936, HiddenSize = 1536, IntermediateSize = 8960,
        NumHiddenLayers = 28, NumAttentionHeads = 12, NumKeyValueHeads = 2, MaxPositionEmbeddings = 32768, RopeThetaTopLevel = 1000000.0,
        RmsNormEps = 1e-6, TieWordEmbeddings = true, TorchDtype = "bfloat16", BosTokenId = 151643, EosTokenIdRaw = JsonSerializer.SerializeToElement(151645),
    };

    /// <summary>Runs the measurement; <c>existing</c> is a model folder to measure instead of a random one (kept), e.g. a downloaded Qwen2.5-1.5B.</summary>
    public static CheckpointLoadReport Run(ModelConfig config, string shapeName, string? existing = null, int promptTokens = 32, int newTokens = 8, TextWriter? log = null)
    {
        log ??= TextWriter.Null;
        var directory = existing ?? Path.Combine(Path.GetTempPath(), $"icd-bench-ckpt-{Guid.NewGuid():N}");
        try
        {
            long parameters, bytes;
            if (existing is null)
            {
                log.WriteLine($"writing a random {shapeName}-shaped BF16 checkpoint to {directory}");
                (parameters, bytes) = WriteRandomBf16(config, directory);
            }
            else
            {
                var tensors = SafeTensorStream.Locate(existing);
                parameters = tensors.Sum(t => t.Entry.Shape.Aggregate(1L, (a, b) => a * b));
                bytes = tensors.Select(t => t.File).Distinct().Sum(f => new FileInfo(f).Length);
            }
            var nf4 = Measure(directory, nf4Projections: true, bytes, promptTokens, newTokens, log);
            var bf16 = Measure(directory, nf4Projections: false, bytes, promptTokens, newTokens, log);
            return new CheckpointLoadReport(shapeName, parameters, bytes, Benchmark.CopyBytesPerSecond(), bf16, nf4);
        }
        finally
        {
            if (existing is null && Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
        }
    }

    static CheckpointLoadMeasurement Measure(string directory, bool nf4Projections, long bytesOnDisk, int promptTokens, int newTokens, TextWriter log)
    {
        var name = nf4Projections ? "nf4 (projections NF4, rest auto)" : "auto (checkpoint dtype kept)";
        GC.Collect();
        GC.WaitForPendingFinalizers();
        NativeHeap.Trim();   // start each load from what is really in use
        var before = CurrentRss();
        ResetPeakRss();
        var clock = Stopwatch.StartNew();
        using var model = CausalLM.FromPretrained(directory, dtype: null, nf4Projections: nf4Projections);
        var seconds = clock.Elapsed.TotalSeconds;
        var peak = Benchmark.PeakRssBytes() ?? 0;
        var weights = model.WeightBytes;
        log.WriteLine($"{name}: loaded in {seconds:F1} s, peak RSS {peak / 1e9:F2} GB ({weights / 1e9:F2} GB of weights, {bytesOnDisk / 1e9:F2} GB on disk); greedy decoding {newTokens} tokens");
        var tokensPerSecond = GreedyTokensPerSecond(model, promptTokens, newTokens);
        return new CheckpointLoadMeasurement(name, model.Dtype.ToString(), weights, seconds, before, peak, newTokens, tokensPerSecond);
    }

    /// <summary>config.json + model.safetensors with N(0, 0.02²) BF16 weights (norms 1), written one tensor at a time.</summary>
    public static (long Parameters, long Bytes) WriteRandomBf16(ModelConfig config, string directory)
    {
        Directory.CreateDirectory(directory);
        config.Save(Path.Combine(directory, "config.json"));
        var shapes = CausalLM.ParameterShapes(config);
        var header = new Dictionary<string, object> { ["__metadata__"] = new Dictionary<string, string> { ["format"] = "pt" } };
        long offset = 0;
        foreach (var (name, shape) in shapes)
        {
            var size = shape.Aggregate(1L, (a, b) => a * b) * 2;
            header[name] = new { dtype = "BF16", shape, data_offsets = new[] { offset, offset + size } };
            offset += size;
        }
        var json = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(header));
        var padded = (json.Length + 7) / 8 * 8;
        var path = Path.Combine(directory, SafeTensors.SingleFile);
        using (var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20))
        {
            Span<byte> length = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)padded);
            stream.Write(length);
            stream.Write(json);
            for (var i = json.Length; i < padded; i++) stream.WriteByte((byte)' ');
            var generator = new TorchSharp.torch.Generator(0);
            foreach (var (name, shape) in shapes)
            {
                using var scope = NewDisposeScope();
                var t = name.EndsWith("norm.weight") ? ones(shape, ScalarType.BFloat16) : (randn(shape, ScalarType.BFloat16, generator: generator) * 0.02);
                stream.Write(t.contiguous().bytes);
            }
        }
        return (shapes.Sum(s => s.Shape.Aggregate(1L, (a, b) => a * b)), new FileInfo(path).Length);
    }

    static double GreedyTokensPerSecond(CausalLM model, int promptTokens, int newTokens)
    {
        var tokenizer = new IdTokenizer(model.Config.VocabSize);
        var random = new Random(0);
        var prompt = Enumerable.Range(0, promptTokens).Select(_ => random.Next(0, model.Config.VocabSize)).ToList();
        var generator = new Inference.Generator(model, tokenizer);
        generator.Generate([prompt], GenerationOptions.Greedy(1) with { StopIds = [] });   // warm-up
        var clock = Stopwatch.StartNew();
        var output = generator.Generate([prompt], GenerationOptions.Greedy(newTokens) with { StopIds = [] });
        var seconds = clock.Elapsed.TotalSeconds;
        return output[0].Tokens.Count / seconds;
    }

    static long CurrentRss()
    {
        var line = File.Exists("/proc/self/status") ? File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("VmRSS:")) : null;
        return line is null ? 0 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
    }

    /// <summary>Resets VmHWM to the current RSS (Linux: writing 5 to /proc/self/clear_refs).</summary>
    static void ResetPeakRss()
    {
        try { File.WriteAllText("/proc/self/clear_refs", "5"); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    /// <summary>A tokenizer that only knows ids (the benchmark feeds random ids and never decodes meaningfully).</summary>
    sealed class IdTokenizer(int vocab) : ITextTokenizer
    {
        public int VocabSize => vocab;
        public IReadOnlyList<int> Encode(string text) => throw new NotSupportedException();
        public string Decode(IEnumerable<int> ids, bool skipSpecialTokens = true) => "";
        public int EosId => 0;
        public int PadId => 0;
        public IReadOnlyList<int> StopIds => [];
        public string ApplyChatTemplate(IReadOnlyList<ChatMessage> messages, bool addGenerationPrompt) => throw new NotSupportedException();
        public void Save(string directory) => throw new NotSupportedException();
    }
}
