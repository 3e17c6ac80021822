using System.Text;
using IcdResearch.Data;

namespace IcdResearch.IO;

/// <summary>
/// The one way input text files are read: strict UTF-8 (a leading BOM is skipped). Invalid bytes are an error naming the
/// file, the byte offset and the line — never silently replaced with U+FFFD, which would let garbage in a code or id
/// pass as text.
/// </summary>
public static class InputText
{
    static readonly UTF8Encoding Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The whole file as text; <see cref="FileNotFoundException"/> when absent, <see cref="DataFormatException"/> on invalid UTF-8.</summary>
    public static string ReadAllText(string path)
    {
        if (Directory.Exists(path)) throw new DataFormatException(path, "is a folder, expected a file");
        if (!File.Exists(path)) throw new FileNotFoundException($"file not found: {path}", path);
        return Decode(File.ReadAllBytes(path), path);
    }

    /// <summary>The file's lines (\n or \r\n), strictly decoded.</summary>
    public static string[] ReadAllLines(string path) => SplitLines(ReadAllText(path));

    /// <summary>Lines of a text (\n or \r\n separated; a final newline ends the last line, it does not start an empty one).</summary>
    public static string[] SplitLines(string text)
    {
        if (text.Length == 0) return [];
        var lines = text.Split('\n').Select(l => l.TrimEnd('\r')).ToArray();
        return text.EndsWith('\n') ? lines[..^1] : lines;
    }

    /// <summary>Strictly decodes <paramref name="bytes"/> read from <paramref name="source"/>.</summary>
    public static string Decode(ReadOnlySpan<byte> bytes, string source)
    {
        var start = bytes.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]) ? 3 : 0;
        try { return Strict.GetString(bytes[start..]); }
        catch (DecoderFallbackException)
        {
            var offset = FirstInvalidByte(bytes, start);
            var line = 1;
            foreach (var b in bytes[..offset]) if (b == (byte)'\n') line++;
            var shown = string.Join(" ", bytes.Slice(offset, Math.Min(4, bytes.Length - offset)).ToArray().Select(b => $"0x{b:X2}"));
            throw new DataFormatException(source, $"invalid UTF-8 at byte offset {offset} (line {line}: bytes {shown}); the file must be UTF-8 encoded");
        }
    }

    static int FirstInvalidByte(ReadOnlySpan<byte> bytes, int start)
    {
        var i = start;
        while (i < bytes.Length)
        {
            if (System.Text.Rune.DecodeFromUtf8(bytes[i..], out _, out var used) != System.Buffers.OperationStatus.Done) return i;
            i += used;
        }
        return bytes.Length;
    }
}
