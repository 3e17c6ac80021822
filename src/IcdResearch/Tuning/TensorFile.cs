using System.Text;
using static TorchSharp.torch;

namespace IcdResearch.Tuning;

/// <summary>
/// Minimal binary container for named tensors used by <see cref="TrainingCheckpoint"/> (magic, count, then
/// name / dtype / shape / raw bytes per tensor). Interchange formats (safetensors) live in Modeling/.
/// </summary>
internal static class TensorFile
{
    const string Magic = "ICDTENSORS1";

    public static void Write(string path, IEnumerable<(string Name, Tensor Tensor)> tensors)
    {
        var list = tensors.ToList();
        using var stream = File.Create(path);
        using var writer = new BinaryWriter(stream, Encoding.UTF8);
        writer.Write(Magic);
        writer.Write(list.Count);
        foreach (var (name, tensor) in list)
        {
            using var cpu = tensor.detach().cpu().contiguous();
            writer.Write(name);
            writer.Write((int)cpu.dtype);
            writer.Write(cpu.shape.Length);
            foreach (var d in cpu.shape) writer.Write(d);
            var bytes = cpu.bytes;
            writer.Write((long)bytes.Length);
            writer.Write(bytes);
        }
    }

    public static Dictionary<string, Tensor> Read(string path)
    {
        using var stream = File.OpenRead(path);
        using var reader = new BinaryReader(stream, Encoding.UTF8);
        if (reader.ReadString() != Magic) throw new InvalidDataException($"{path}: not a checkpoint tensor file");
        var count = reader.ReadInt32();
        var result = new Dictionary<string, Tensor>(count, StringComparer.Ordinal);
        for (var i = 0; i < count; i++)
        {
            var name = reader.ReadString();
            var dtype = (ScalarType)reader.ReadInt32();
            var shape = new long[reader.ReadInt32()];
            for (var d = 0; d < shape.Length; d++) shape[d] = reader.ReadInt64();
            var length = reader.ReadInt64();
            var data = reader.ReadBytes(checked((int)length));
            if (data.Length != length) throw new InvalidDataException($"{path}: tensor '{name}' is truncated");
            var tensor = empty(shape, dtype);
            tensor.bytes = data;
            result[name] = tensor;
        }
        return result;
    }
}
