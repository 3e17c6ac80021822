using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace IcdResearch.Tuning;

/// <summary>
/// What a trained model folder was made from — base model, settings and training examples — as one SHA-256 hex string,
/// stored next to the model (<see cref="FileName"/>). `icd reproduce` reuses a finished model only when the fingerprint
/// of the run it is asked for matches, so a changed profile, split or prompt retrains instead of silently reusing a
/// model made under other settings.
/// </summary>
public static class TrainingFingerprint
{
    public const string FileName = "training-fingerprint.txt";

    /// <summary>
    /// The fingerprint of <paramref name="settings"/> (serialised as JSON), the base model folder's identity
    /// (<paramref name="baseModel"/>, see <see cref="ModelIdentity"/>; null for none) and the <paramref name="examples"/>, in order.
    /// </summary>
    public static string Compute(string? baseModel, object settings, IEnumerable<(string Prompt, string Answer)> examples)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        void Add(string s)
        {
            var bytes = Encoding.UTF8.GetBytes(s);
            sha.AppendData(BitConverter.GetBytes(bytes.Length));  // length-prefixed: ("ab","c") ≠ ("a","bc")
            sha.AppendData(bytes);
        }
        Add(baseModel is null ? "" : ModelIdentity(baseModel));
        Add(JsonSerializer.Serialize(settings, settings.GetType()));
        foreach (var (prompt, answer) in examples) { Add(prompt); Add(answer); }
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }

    /// <summary>
    /// A model folder's identity without reading multi-gigabyte weights: its config.json text, its own recorded
    /// fingerprint if it has one (a backbone trained here), and the name and size of every weight file.
    /// </summary>
    public static string ModelIdentity(string directory)
    {
        var sb = new StringBuilder();
        var config = Path.Combine(directory, "config.json");
        if (File.Exists(config)) sb.Append(IO.InputText.ReadAllText(config));
        sb.Append('\n').Append(Read(directory) ?? "");
        if (Directory.Exists(directory))
            foreach (var file in Directory.EnumerateFiles(directory, "*.safetensors").Order(StringComparer.Ordinal))
                sb.Append('\n').Append(Path.GetFileName(file)).Append(' ').Append(new FileInfo(file).Length);
        return sb.ToString();
    }

    /// <summary>The fingerprint recorded in <paramref name="directory"/>, or null when it has none (e.g. made by an older version).</summary>
    public static string? Read(string directory)
    {
        var path = Path.Combine(directory, FileName);
        return File.Exists(path) ? IO.InputText.ReadAllText(path).Trim() : null;
    }

    public static void Write(string directory, string fingerprint)
    {
        Directory.CreateDirectory(directory);
        IO.AtomicFile.WriteAllText(Path.Combine(directory, FileName), fingerprint + "\n");
    }
}
