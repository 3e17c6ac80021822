using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace IcdResearch.Pipelines.CodeCentric;

/// <summary>
/// Versioned JSON-lines file of span pairs (e.g. results/ccl_silver_pairs.v1.jsonl): one <see cref="SpanCodePair"/>
/// per line, Chinese kept readable. Reading reports the line of any malformed entry.
/// </summary>
public static class SpanPairsFile
{
    static readonly JsonSerializerOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static void Write(string path, IEnumerable<SpanCodePair> pairs)
    {
        IO.AtomicFile.WriteText(path, w => { foreach (var p in pairs) w.Write(JsonSerializer.Serialize(p, Options) + "\n"); });
    }

    public static List<SpanCodePair> Read(string path)
    {
        var pairs = new List<SpanCodePair>();
        int line = 0;
        foreach (var text in IO.InputText.ReadAllLines(path))
        {
            line++;
            if (text.Trim().Length == 0) continue;
            SpanCodePair? p;
            try { p = JsonSerializer.Deserialize<SpanCodePair>(text, Options); }
            catch (JsonException e) { throw new InvalidDataException($"{path}: line {line}: {e.Message}", e); }
            if (p is null || string.IsNullOrWhiteSpace(p.Span) || string.IsNullOrWhiteSpace(p.Code))
                throw new InvalidDataException($"{path}: line {line}: a pair needs a non-empty span and code");
            pairs.Add(p);
        }
        return pairs;
    }
}
