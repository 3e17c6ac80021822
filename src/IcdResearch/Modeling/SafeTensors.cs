using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using static TorchSharp.torch;

namespace IcdResearch.Modeling;

/// <summary>
/// The safetensors format (8-byte little-endian header length, JSON header of name → dtype/shape/data_offsets,
/// raw little-endian data): F32, F16 and BF16 (F64 read too), single files and sharded folders with
/// <c>model.safetensors.index.json</c>. Tensors are looked up by name, so their order in a file is irrelevant.
/// </summary>
public static class SafeTensors
{
    public const string SingleFile = "model.safetensors";
    public const string IndexFile = "model.safetensors.index.json";

    /// <summary>One header entry: where a tensor's bytes are, relative to the start of the data section.</summary>
    public sealed record Entry(string Name, string Dtype, long[] Shape, long Begin, long End);

    /// <summary>Loaded tensors; disposing the set disposes them.</summary>
    public sealed class TensorSet(Dictionary<string, Tensor> tensors) : IDisposable
    {
        public Dictionary<string, Tensor> Tensors { get; } = tensors;
        public void Dispose() { foreach (var t in Tensors.Values) t.Dispose(); }
    }

    /// <summary>The safetensors dtypes this reader and writer know, with torch's scalar type and the element size.</summary>
    static readonly (string Name, ScalarType Type, int Size)[] Dtypes =
    [
        ("F64", ScalarType.Float64, 8), ("F32", ScalarType.Float32, 4), ("F16", ScalarType.Float16, 2), ("BF16", ScalarType.BFloat16, 2),
        ("I64", ScalarType.Int64, 8), ("I32", ScalarType.Int32, 4), ("I16", ScalarType.Int16, 2), ("I8", ScalarType.Int8, 1),
        ("U8", ScalarType.Byte, 1), ("BOOL", ScalarType.Bool, 1),
    ];

    internal static int ElementSize(string dtype) => Dtypes.FirstOrDefault(d => d.Name == dtype).Size;

    /// <summary>torch's scalar type of a safetensors dtype name.</summary>
    internal static ScalarType TypeOf(string dtype) => Dtypes.First(d => d.Name == dtype).Type;

    static bool IsFloat(string dtype) => dtype is "F64" or "F32" or "F16" or "BF16";

    static string ExactName(ScalarType type) => Dtypes.FirstOrDefault(d => d.Type == type).Name
        ?? throw new ArgumentException($"safetensors has no dtype for {type}");

    public static string DtypeName(ScalarType dtype) => dtype switch
    {
        ScalarType.Float32 => "F32",
        ScalarType.Float16 => "F16",
        ScalarType.BFloat16 => "BF16",
        _ => throw new ArgumentException($"safetensors writing supports float32, float16 and bfloat16, not {dtype}"),
    };

    public static string TorchDtypeName(ScalarType dtype) => dtype switch
    {
        ScalarType.Float32 => "float32",
        ScalarType.Float16 => "float16",
        ScalarType.BFloat16 => "bfloat16",
        _ => throw new ArgumentException($"unsupported dtype {dtype}"),
    };

    /// <summary>Parses and validates the header of <paramref name="path"/>; returns its entries and the data-section offset.</summary>
    public static (IReadOnlyList<Entry> Entries, long DataStart) ReadHeader(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"safetensors file not found: {path}", path);
        using var stream = File.OpenRead(path);
        Span<byte> lengthBytes = stackalloc byte[8];
        if (stream.Read(lengthBytes) != 8) throw new InvalidDataException($"{path}: too short to be a safetensors file");
        var headerLength = BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
        if (headerLength > (ulong)(stream.Length - 8) || headerLength > 100_000_000)
            throw new InvalidDataException($"{path}: header length {headerLength} exceeds the file size {stream.Length}");
        var header = new byte[headerLength];
        stream.ReadExactly(header);
        var dataStart = 8 + (long)headerLength;
        var dataLength = stream.Length - dataStart;

        JsonDocument doc;
        try { doc = JsonDocument.Parse(header); }
        catch (JsonException e) { throw new InvalidDataException($"{path}: header is not valid JSON ({e.Message})", e); }
        using var _ = doc;
        var entries = new List<Entry>();
        var problems = new List<string>();
        foreach (var property in doc.RootElement.EnumerateObject())
        {
            if (property.Name == "__metadata__") continue;
            try
            {
                var v = property.Value;
                var dtype = v.GetProperty("dtype").GetString()!;
                var shape = v.GetProperty("shape").EnumerateArray().Select(x => x.GetInt64()).ToArray();
                var offsets = v.GetProperty("data_offsets").EnumerateArray().Select(x => x.GetInt64()).ToArray();
                var size = ElementSize(dtype);
                if (size == 0) { problems.Add($"{property.Name}: unsupported dtype {dtype} (supported: {string.Join(", ", Dtypes.Select(d => d.Name))})"); continue; }
                if (offsets.Length != 2 || offsets[0] < 0 || offsets[1] < offsets[0] || offsets[1] > dataLength)
                { problems.Add($"{property.Name}: data_offsets [{string.Join(",", offsets)}] outside the {dataLength}-byte data section"); continue; }
                var expected = shape.Aggregate(1L, (a, d) => a * d) * size;
                if (offsets[1] - offsets[0] != expected)
                { problems.Add($"{property.Name}: {offsets[1] - offsets[0]} bytes for shape [{string.Join(",", shape)}] {dtype} (expected {expected})"); continue; }
                entries.Add(new Entry(property.Name, dtype, shape, offsets[0], offsets[1]));
            }
            catch (Exception e) when (e is InvalidOperationException or KeyNotFoundException or FormatException)
            {
                problems.Add($"{property.Name}: malformed header entry ({e.Message})");
            }
        }
        // Two tensors sharing bytes would silently alias each other's data (the format requires disjoint ranges).
        var ordered = entries.Where(e => e.End > e.Begin).OrderBy(e => e.Begin).ToList();
        for (var i = 1; i < ordered.Count; i++)
            if (ordered[i].Begin < ordered[i - 1].End)
                problems.Add($"{ordered[i].Name}: data_offsets [{ordered[i].Begin},{ordered[i].End}] overlap {ordered[i - 1].Name} [{ordered[i - 1].Begin},{ordered[i - 1].End}]");
        if (problems.Count > 0) throw new InvalidDataException($"{path}: {string.Join("; ", problems)}");
        return (entries, dataStart);
    }

    /// <summary>Reads every tensor of one file, floating-point ones converted to <paramref name="dtype"/> (F16/BF16 are
    /// widened exactly via fp32); integer and boolean tensors keep their own type.</summary>
    public static TensorSet Load(string path, ScalarType dtype = ScalarType.Float32) => Read(path, (bytes, entry) =>
    {
        if (!IsFloat(entry.Dtype)) return FromBytes(bytes, entry); // integer/bool buffers keep their type
        var t = tensor(ToFloats(bytes, entry.Dtype), entry.Shape);
        return dtype == ScalarType.Float32 ? t : t.to_type(dtype);
    });

    /// <summary>Every tensor of one file, each built from its raw bytes by <paramref name="build"/>.</summary>
    static TensorSet Read(string path, Func<byte[], Entry, Tensor> build)
    {
        var (entries, dataStart) = ReadHeader(path);
        var tensors = new Dictionary<string, Tensor>();
        using var stream = File.OpenRead(path);
        foreach (var entry in entries)
        {
            var bytes = new byte[checked((int)(entry.End - entry.Begin))];
            stream.Position = dataStart + entry.Begin;
            stream.ReadExactly(bytes);
            tensors[entry.Name] = build(bytes, entry);
        }
        return new TensorSet(tensors);
    }

    /// <summary>Loads an HF folder: <c>model.safetensors</c> if present, else the shards listed by <c>model.safetensors.index.json</c>.</summary>
    public static TensorSet LoadDirectory(string directory, ScalarType dtype = ScalarType.Float32)
    {
        var single = Path.Combine(directory, SingleFile);
        if (File.Exists(single)) return Load(single, dtype);
        var index = Path.Combine(directory, IndexFile);
        if (!File.Exists(index)) throw new FileNotFoundException($"{directory}: neither {SingleFile} nor {IndexFile} found", single);

        Dictionary<string, string> weightMap;
        try
        {
            using var doc = JsonDocument.Parse(IO.InputText.ReadAllText(index));
            weightMap = doc.RootElement.GetProperty("weight_map").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new InvalidDataException($"{index}: not a valid safetensors index ({e.Message})", e);
        }
        var all = new Dictionary<string, Tensor>();
        var problems = new List<string>();
        foreach (var shard in weightMap.Values.Distinct(StringComparer.Ordinal))
        {
            using var set = Load(Path.Combine(directory, shard), dtype);
            foreach (var (name, t) in set.Tensors)
            {
                if (weightMap.GetValueOrDefault(name) != shard) problems.Add($"{name} is in {shard} but the index maps it to {weightMap.GetValueOrDefault(name) ?? "nothing"}");
                else if (!all.TryAdd(name, t.alias())) problems.Add($"{name} appears twice");
            }
        }
        var absent = weightMap.Keys.Where(n => !all.ContainsKey(n)).ToList();
        if (absent.Count > 0) problems.Add($"listed in the index but missing from their shards: {string.Join(", ", absent)}");
        if (problems.Count > 0)
        {
            foreach (var t in all.Values) t.Dispose();
            throw new InvalidDataException($"{index}: {string.Join("; ", problems)}");
        }
        return new TensorSet(all);
    }

    /// <summary>Writes one safetensors file with the tensors converted to <paramref name="dtype"/>.</summary>
    public static void Save(string path, IEnumerable<(string Name, Tensor Tensor)> tensors, ScalarType dtype = ScalarType.Float32)
    {
        var dtypeName = DtypeName(dtype);
        var items = tensors.ToList();
        var duplicate = items.GroupBy(i => i.Name).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new ArgumentException($"tensor name '{duplicate.Key}' given twice");

        var header = new Dictionary<string, object> { ["__metadata__"] = new Dictionary<string, string> { ["format"] = "pt" } };
        long offset = 0;
        var payloads = new List<byte[]>();
        foreach (var (name, t) in items)
        {
            var bytes = FromFloats(ToFloatArray(t), dtypeName);
            header[name] = new { dtype = dtypeName, shape = t.shape, data_offsets = new[] { offset, offset + bytes.Length } };
            offset += bytes.Length;
            payloads.Add(bytes);
        }
        Write(path, header, payloads);
    }

    /// <summary>Header (8-byte length, JSON padded to 8 bytes) then the payloads; written to a temporary file and moved into place.</summary>
    static void Write(string path, Dictionary<string, object> header, List<byte[]> payloads)
    {
        var json = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(header));
        var padded = (json.Length + 7) / 8 * 8;   // keep the data section 8-byte aligned
        IO.AtomicFile.Write(path, stream =>
        {
            var lengthBytes = new byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(lengthBytes, (ulong)padded);
            stream.Write(lengthBytes);
            stream.Write(json);
            for (var i = json.Length; i < padded; i++) stream.WriteByte((byte)' ');
            foreach (var p in payloads) stream.Write(p);
        });
    }

    /// <summary>
    /// Writes one safetensors file with every tensor in its own dtype, byte for byte (training checkpoints: weights,
    /// optimizer-independent state, RNG state); <see cref="LoadExact"/> reads it back bit-identically.
    /// </summary>
    public static void SaveExact(string path, IEnumerable<(string Name, Tensor Tensor)> tensors)
    {
        var header = new Dictionary<string, object> { ["__metadata__"] = new Dictionary<string, string> { ["format"] = "pt" } };
        long offset = 0;
        var payloads = new List<byte[]>();
        foreach (var (name, t) in tensors)
        {
            if (header.ContainsKey(name)) throw new ArgumentException($"tensor name '{name}' given twice");
            using var cpu = t.detach().cpu().contiguous();
            var bytes = cpu.bytes.ToArray();
            header[name] = new { dtype = ExactName(cpu.dtype), shape = cpu.shape, data_offsets = new[] { offset, offset + bytes.Length } };
            offset += bytes.Length;
            payloads.Add(bytes);
        }
        Write(path, header, payloads);
    }

    /// <summary>Reads every tensor of one file in its stored dtype (the inverse of <see cref="SaveExact"/>).</summary>
    public static TensorSet LoadExact(string path) => Read(path, FromBytes);

    static Tensor FromBytes(byte[] bytes, Entry entry)
    {
        var t = empty(entry.Shape, Dtypes.First(d => d.Name == entry.Dtype).Type);
        t.bytes = bytes;
        return t;
    }

    /// <summary>
    /// Writes <c>model.safetensors</c>, or shards of at most <paramref name="maxShardBytes"/> plus
    /// <c>model.safetensors.index.json</c>; files of the other layout are removed so the folder is unambiguous.
    /// </summary>
    public static void SaveDirectory(string directory, IReadOnlyList<(string Name, Tensor Tensor)> tensors, ScalarType dtype = ScalarType.Float32, long maxShardBytes = long.MaxValue)
    {
        Directory.CreateDirectory(directory);
        var elementSize = ElementSize(DtypeName(dtype));
        var shards = new List<List<(string Name, Tensor Tensor)>> { new() };
        long shardBytes = 0, total = 0;
        foreach (var item in tensors)
        {
            var bytes = item.Tensor.numel() * elementSize;
            if (shards[^1].Count > 0 && shardBytes + bytes > maxShardBytes) { shards.Add([]); shardBytes = 0; }
            shards[^1].Add(item);
            shardBytes += bytes;
            total += bytes;
        }
        // The new files are written (each atomically) before the old layout is removed, so a failure never leaves a folder without weights.
        var stale = Directory.GetFiles(directory, "model-*-of-*.safetensors").Select(Path.GetFileName).ToHashSet(StringComparer.Ordinal);
        if (shards.Count == 1)
        {
            Save(Path.Combine(directory, SingleFile), shards[0], dtype);
            File.Delete(Path.Combine(directory, IndexFile));
        }
        else
        {
            var weightMap = new SortedDictionary<string, string>(StringComparer.Ordinal);
            for (var i = 0; i < shards.Count; i++)
            {
                var file = $"model-{i + 1:D5}-of-{shards.Count:D5}.safetensors";
                Save(Path.Combine(directory, file), shards[i], dtype);
                stale.Remove(file);
                foreach (var (name, _) in shards[i]) weightMap[name] = file;
            }
            var index = new { metadata = new { total_size = total }, weight_map = weightMap };
            IO.AtomicFile.WriteAllText(Path.Combine(directory, IndexFile), JsonSerializer.Serialize(index, new JsonSerializerOptions { WriteIndented = true }));
            File.Delete(Path.Combine(directory, SingleFile));
        }
        foreach (var file in stale) File.Delete(Path.Combine(directory, file!));
    }

    static float[] ToFloatArray(Tensor t)
    {
        using var f = t.detach().to_type(ScalarType.Float32).cpu().contiguous();
        return f.data<float>().ToArray();
    }

    static float[] ToFloats(byte[] bytes, string dtype)
    {
        switch (dtype)
        {
            case "F32":
                return MemoryMarshal.Cast<byte, float>(bytes).ToArray();
            case "F64":
                return MemoryMarshal.Cast<byte, double>(bytes).ToArray().Select(d => (float)d).ToArray();
            case "BF16":
            {
                var bits = MemoryMarshal.Cast<byte, ushort>(bytes);
                var result = new float[bits.Length];
                for (var i = 0; i < bits.Length; i++) result[i] = BitConverter.Int32BitsToSingle(bits[i] << 16);
                return result;
            }
            case "F16":
            {
                var bits = MemoryMarshal.Cast<byte, ushort>(bytes);
                var result = new float[bits.Length];
                for (var i = 0; i < bits.Length; i++) result[i] = (float)BitConverter.UInt16BitsToHalf(bits[i]);
                return result;
            }
            default:
                throw new InvalidDataException($"unsupported safetensors dtype {dtype}");
        }
    }

    static byte[] FromFloats(float[] values, string dtype)
    {
        switch (dtype)
        {
            case "F32":
                return MemoryMarshal.AsBytes(values.AsSpan()).ToArray();
            case "F16":
            {
                var bits = new ushort[values.Length];
                for (var i = 0; i < values.Length; i++) bits[i] = BitConverter.HalfToUInt16Bits((Half)values[i]);
                return MemoryMarshal.AsBytes(bits.AsSpan()).ToArray();
            }
            case "BF16":
            {
                var bits = new ushort[values.Length];
                for (var i = 0; i < values.Length; i++) bits[i] = FloatToBFloat16(values[i]);
                return MemoryMarshal.AsBytes(bits.AsSpan()).ToArray();
            }
            default:
                throw new ArgumentException($"unsupported dtype {dtype}");
        }
    }

    /// <summary>Round-to-nearest-even fp32 → bf16, as torch's <c>.to(torch.bfloat16)</c>.</summary>
    internal static ushort FloatToBFloat16(float value)
    {
        var bits = BitConverter.SingleToUInt32Bits(value);
        if (float.IsNaN(value)) return (ushort)((bits >> 16) | 0x40);
        var rounding = 0x7FFFu + ((bits >> 16) & 1);
        return (ushort)((bits + rounding) >> 16);
    }
}
