
namespace IcdResearch.Data;

/// <summary>
/// The DCCNCE 2.0 disease classification (codes/dccnce-2.0.tsv: header <c>疾病编码\t疾病名称</c>): code → name,
/// name → codes, and the ICD-10 hierarchy read off the code itself — category <c>I20</c>, subcategory <c>I20.8</c>,
/// the 6-character base code <c>I20.800</c> and the national extension <c>I20.800x007</c>.
/// </summary>
public sealed class CodeTable
{
    public const string Header = "疾病编码\t疾病名称";

    readonly Dictionary<string, string> _names;
    readonly Dictionary<string, List<string>> _codesByName;
    readonly List<string> _codes;

    /// <summary>Where the table came from (file path or "synthetic"), for error messages.</summary>
    public string Source { get; }

    public CodeTable(IEnumerable<(string Code, string Name)> entries, string source = "in-memory")
    {
        Source = source;
        _names = new(StringComparer.Ordinal);
        _codesByName = new(StringComparer.Ordinal);
        _codes = [];
        foreach (var (code, name) in entries)
        {
            if (!_names.TryAdd(code, name)) throw new ArgumentException($"duplicate code {code} in code table {source}");
            _codes.Add(code);
            if (!_codesByName.TryGetValue(name, out var list)) _codesByName[name] = list = [];
            list.Add(code);
        }
    }

    public int Count => _codes.Count;

    /// <summary>All codes in file order.</summary>
    public IReadOnlyList<string> Codes => _codes;

    public bool Contains(string code) => _names.ContainsKey(code);

    /// <summary>
    /// Null for a known code; else the message for it: unknown, with the table's size (a truncated table shows here)
    /// and the right spelling when only the case differs (codes are case-sensitive: "I10.x00", not "i10.X00").
    /// </summary>
    public string? Problem(string code)
    {
        if (Contains(code)) return null;
        _ignoringCase ??= _codes.GroupBy(c => c, StringComparer.OrdinalIgnoreCase).ToDictionary(g => g.Key, g => g.First(), StringComparer.OrdinalIgnoreCase);
        var caseOnly = _ignoringCase.GetValueOrDefault(code);
        return caseOnly is not null
            ? $"unknown code \"{Excerpt.Of(code)}\": wrong case, the code table {Source} has \"{caseOnly}\" (codes are case-sensitive)"
            : $"unknown code \"{Excerpt.Of(code)}\" (not among the {Count:N0} codes of the code table {Source})";
    }

    Dictionary<string, string>? _ignoringCase;

    /// <summary>The disease name of a code; throws <see cref="KeyNotFoundException"/> naming the code when unknown.</summary>
    public string NameOf(string code) =>
        _names.TryGetValue(code, out var name) ? name : throw new KeyNotFoundException($"code {code} is not in the code table {Source}");

    public bool TryGetName(string code, out string name) => _names.TryGetValue(code, out name!);

    /// <summary>Codes whose name is exactly <paramref name="name"/> (names are not unique in DCCNCE), in file order.</summary>
    public IReadOnlyList<string> CodesOf(string name) =>
        _codesByName.TryGetValue(name, out var list) ? list : [];

    /// <summary>The first code with exactly this name, or null.</summary>
    public string? CodeOf(string name) => _codesByName.TryGetValue(name, out var list) ? list[0] : null;

    /// <summary>Every code whose category (3-character prefix) is <paramref name="category"/>, e.g. "I20".</summary>
    public IEnumerable<string> InCategory(string category) => _codes.Where(c => Category(c) == category);

    /// <summary>Every code that starts with <paramref name="prefix"/> (e.g. "I20.8" or "I10.x00").</summary>
    public IEnumerable<string> WithPrefix(string prefix) => _codes.Where(c => c.StartsWith(prefix, StringComparison.Ordinal));

    /// <summary>ICD-10 category: the part before the dot ("I20.800x007" → "I20"; "M8000/0" → "M8000/0").</summary>
    public static string Category(string code)
    {
        var dot = code.IndexOf('.');
        return dot < 0 ? code : code[..dot];
    }

    /// <summary>Subcategory: category plus the first character after the dot ("I20.800x007" → "I20.8", "I10.x00x032" → "I10.x").</summary>
    public static string Subcategory(string code)
    {
        var dot = code.IndexOf('.');
        return dot < 0 || dot + 1 >= code.Length ? code : code[..(dot + 2)];
    }

    /// <summary>The base code without the national extension ("I20.800x007" → "I20.800"; "I10.x00x032" → "I10.x00").</summary>
    public static string BaseCode(string code)
    {
        var dot = code.IndexOf('.');
        if (dot < 0) return code;
        var x = code.IndexOf('x', dot + 2); // "I10.x00x032": the first 'x' right after the dot is part of the base code.
        return x < 0 ? code : code[..x];
    }

    /// <summary>The ancestors of a code from most to least specific: base code, subcategory, category (distinct, excluding the code).</summary>
    public static IReadOnlyList<string> Ancestors(string code) =>
        new[] { BaseCode(code), Subcategory(code), Category(code) }.Where(a => a != code).Distinct().ToList();

    /// <summary>
    /// Loads the DCCNCE TSV (strict UTF-8). Errors name the file, the line and the field; a last line without its
    /// newline is reported as a truncated file (the release and every table written here end each line with one).
    /// </summary>
    public static CodeTable Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"code table not found: {path}", path);
        var entries = new List<(string, string)>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var text = IO.InputText.ReadAllText(path);
        var lines = IO.InputText.SplitLines(text);
        var header = lines.FirstOrDefault();
        if (header != Header)
            throw new DataFormatException(path, $"expected the header \"疾病编码<TAB>疾病名称\", found \"{Excerpt.Of(header)}\"");
        if (!text.EndsWith('\n'))
            throw new DataFormatException(path, $"line {lines.Length} (\"{Excerpt.Of(lines[^1])}\") does not end with a newline: the file looks truncated");
        var lineNumber = 1;
        foreach (var raw in lines.Skip(1))
        {
            lineNumber++;
            var line = raw;
            if (line.Length == 0) continue; // a blank line (e.g. at the end of the file) holds no entry
            var parts = line.Split('\t');
            var where = $"line {lineNumber}";
            if (parts.Length != 2) throw new DataFormatException(path, $"{where}: expected 2 tab-separated columns, found {parts.Length}");
            var (code, name) = (parts[0].Trim(), parts[1].Trim());
            if (code.Length == 0) throw new DataFormatException(path, $"{where}: empty code", field: "疾病编码");
            if (name.Length == 0) throw new DataFormatException(path, $"{where}: empty name for code {code}", field: "疾病名称");
            if (!seen.Add(code)) throw new DataFormatException(path, $"{where}: duplicate code {code}", field: "疾病编码");
            entries.Add((code, name));
        }
        return new CodeTable(entries, path);
    }

    /// <summary>Writes the table in the DCCNCE TSV layout.</summary>
    public void Save(string path)
    {
        IO.AtomicFile.WriteText(path, writer =>
        {
            writer.Write(Header + "\n");
            foreach (var code in _codes) writer.Write($"{code}\t{_names[code]}\n");
        });
    }
}
