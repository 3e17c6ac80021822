using System.IO.MemoryMappedFiles;
using System.Text.Json;
using TorchSharp;
using static TorchSharp.torch;

namespace IcdResearch.Modeling;

/// <summary>
/// Streams a safetensors checkpoint (one file or shards with <c>model.safetensors.index.json</c>) straight into existing
/// tensors: each file is memory-mapped and every tensor is copied in windows of at most <c>chunkBytes</c>, converting
/// its dtype and moving it to the destination's device on the way, so loading holds the destination weights plus one
/// window — never a second copy of the model (the mapped window is unmapped after each copy, so its pages leave the
/// process's resident set).
/// </summary>
public static class SafeTensorStream
{
    /// <summary>A tensor's header entry and the file (and data-section offset) it lives in.</summary>
    public sealed record Located(string File, long DataStart, SafeTensors.Entry Entry);

    /// <summary>Every tensor of a model folder, from the headers only (nothing is read yet).</summary>
    public static IReadOnlyList<Located> Locate(string directory)
    {
        var single = Path.Combine(directory, SafeTensors.SingleFile);
        IEnumerable<string> files;
        Dictionary<string, string>? weightMap = null;
        if (File.Exists(single)) files = [single];
        else
        {
            var index = Path.Combine(directory, SafeTensors.IndexFile);
            if (!File.Exists(index)) throw new FileNotFoundException($"{directory}: neither {SafeTensors.SingleFile} nor {SafeTensors.IndexFile} found", single);
            try
            {
                using var doc = JsonDocument.Parse(File.ReadAllText(index));
                weightMap = doc.RootElement.GetProperty("weight_map").EnumerateObject().ToDictionary(p => p.Name, p => Path.Combine(directory, p.Value.GetString()!));
                files = weightMap.Values.Distinct().ToList();
            }
            catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
            {
                throw new InvalidDataException($"{index}: not a valid safetensors index ({e.Message})", e);
            }
        }
        var located = new List<Located>();
        foreach (var file in files)
        {
            var (entries, dataStart) = SafeTensors.ReadHeader(file);
            located.AddRange(entries.Select(e => new Located(file, dataStart, e)));
        }
        var twice = located.GroupBy(l => l.Entry.Name).FirstOrDefault(g => g.Count() > 1);
        if (twice is not null) throw new InvalidDataException($"{directory}: tensor {twice.Key} appears in more than one shard");
        if (weightMap is not null)
        {
            var problems = located.Where(l => weightMap.GetValueOrDefault(l.Entry.Name) != l.File)
                .Select(l => $"{l.Entry.Name} is in {Path.GetFileName(l.File)} but the index maps it to {(weightMap.TryGetValue(l.Entry.Name, out var f) ? Path.GetFileName(f) : "nothing")}")
                .Concat(weightMap.Keys.Except(located.Select(l => l.Entry.Name)).Select(n => $"{n} is listed in the index but missing from its shard")).ToList();
            if (problems.Count > 0) throw new InvalidDataException($"{Path.Combine(directory, SafeTensors.IndexFile)}: {string.Join("; ", problems)}");
        }
        return located;
    }

    /// <summary>Copies each located tensor into <paramref name="target"/>(name) (skipped when null); destinations must be contiguous.</summary>
    public static unsafe void CopyInto(IEnumerable<Located> tensors, Func<string, Tensor?> target, long chunkBytes = 64L << 20)
    {
        using var _ = no_grad();
        foreach (var file in tensors.GroupBy(t => t.File))
        {
            using var mapped = MemoryMappedFile.CreateFromFile(file.Key, FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
            foreach (var (_, dataStart, entry) in file)
            {
                if (target(entry.Name) is not { } destination) continue;
                var stored = SafeTensors.TypeOf(entry.Dtype);
                var size = SafeTensors.ElementSize(entry.Dtype);
                var count = (entry.End - entry.Begin) / size;
                using var flat = destination.view(-1);
                var window = Math.Max(1, chunkBytes / size);
                for (long start = 0; start < count; start += window)
                {
                    var n = Math.Min(window, count - start);
                    using var view = mapped.CreateViewAccessor(dataStart + entry.Begin + start * size, n * size, MemoryMappedFileAccess.Read);
                    byte* pointer = null;
                    view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
                    try
                    {
                        var bytes = new ReadOnlySpan<byte>(pointer + view.PointerOffset, checked((int)(n * size)));
                        using var slice = flat.narrow(0, start, n);
                        if (destination.dtype == stored && destination.device_type == DeviceType.CPU) bytes.CopyTo(slice.bytes);
                        else
                        {
                            using var staged = empty(n, stored);
                            bytes.CopyTo(staged.bytes);
                            slice.copy_(staged);
                        }
                    }
                    finally { view.SafeMemoryMappedViewHandle.ReleasePointer(); }
                }
            }
        }
    }
}
