using System.Text;
using System.Text.RegularExpressions;

namespace IcdResearch.Pipelines.CodeCentric;

/// <summary>
/// The document-level answer of CCL (Appendix F): "证据：" with one evidence span per line ("- span", document order),
/// then "编码：" with one "CODE 名称" per line. <see cref="Format"/> writes training targets; <see cref="Parse"/> reads
/// model outputs robustly (missing sections, truncated lines, names without codes, invalid or repeated codes).
/// </summary>
public sealed partial record CodeCentricOutput(IReadOnlyList<string> Evidence, IReadOnlyList<string> Codes, IReadOnlyList<string> Rejected)
{
    public const string EvidenceHeader = "证据：";
    public const string CodesHeader = "编码：";

    [GeneratedRegex(@"[A-Z][0-9]{2}(?:\.[0-9A-Za-z]{1,3}(?:x[0-9]{3})?)?")]
    private static partial Regex CodePattern();

    /// <summary>Training target: evidence section (when given) then the codes with their names.</summary>
    public static string Format(IEnumerable<string>? evidence, IEnumerable<string> codes, IReadOnlyDictionary<string, string> names)
    {
        var sb = new StringBuilder();
        if (evidence is not null)
        {
            sb.Append(EvidenceHeader).Append('\n');
            foreach (var e in evidence) sb.Append("- ").Append(e).Append('\n');
        }
        sb.Append(CodesHeader).Append('\n');
        foreach (var c in codes) sb.Append(c).Append(' ').Append(names.GetValueOrDefault(c, "")).Append('\n');
        return sb.ToString().TrimEnd('\n');
    }

    /// <summary>The span-level target: "CODE 名称".</summary>
    public static string FormatSpanTarget(string code, IReadOnlyDictionary<string, string> names) => $"{code} {names.GetValueOrDefault(code, "")}".TrimEnd();

    /// <summary>
    /// Parses a generated answer. Codes are taken in order of appearance from the codes section (the whole text when the
    /// header is missing); a code outside <paramref name="validCodes"/> is rejected unless its line's name is a known
    /// name, which then maps to its code. Evidence is every "- " line before the codes header.
    /// </summary>
    public static CodeCentricOutput Parse(string text, IReadOnlySet<string> validCodes, IReadOnlyDictionary<string, string>? nameToCode = null)
    {
        int codesAt = text.IndexOf(CodesHeader, StringComparison.Ordinal);
        string evidencePart = codesAt >= 0 ? text[..codesAt] : text, codesPart = codesAt >= 0 ? text[(codesAt + CodesHeader.Length)..] : text;
        var evidence = evidencePart.Split('\n').Select(l => l.Trim())
            .Where(l => l.StartsWith("- ", StringComparison.Ordinal)).Select(l => l[2..].Trim()).Where(l => l.Length > 0)
            .Distinct().ToList();
        var codes = new List<string>();
        var rejected = new List<string>();
        foreach (var raw in codesPart.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith("- ", StringComparison.Ordinal)) continue;
            var match = CodePattern().Match(line);
            string? code = match.Success && validCodes.Contains(match.Value) ? match.Value : null;
            if (code is null)
            {
                var name = match.Success ? line[(match.Index + match.Length)..].Trim() : line;
                if (nameToCode is not null && nameToCode.TryGetValue(name, out var byName) && validCodes.Contains(byName)) code = byName;
                else if (match.Success) { rejected.Add(match.Value); continue; }
                else continue;
            }
            if (!codes.Contains(code)) codes.Add(code);
        }
        return new CodeCentricOutput(evidence, codes, rejected);
    }
}
