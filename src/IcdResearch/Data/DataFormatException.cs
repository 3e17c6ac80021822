namespace IcdResearch.Data;

/// <summary>
/// Bad input, located precisely: which file, which record (index and 病案标识) and which field.
/// Loaders never drop or truncate a record silently; they throw this instead.
/// </summary>
public sealed class DataFormatException : Exception
{
    public string File { get; }
    public int? RecordIndex { get; }
    public string? RecordId { get; }
    public string? Field { get; }

    public DataFormatException(string file, string message, int? recordIndex = null, string? recordId = null, string? field = null, Exception? inner = null)
        : base(Format(file, message, recordIndex, recordId, field), inner)
    {
        File = file; RecordIndex = recordIndex; RecordId = recordId; Field = field;
    }

    static string Format(string file, string message, int? index, string? id, string? field)
    {
        var where = file;
        if (index is not null) where += $", record #{index}";
        if (!string.IsNullOrEmpty(id)) where += $" (病案标识={Excerpt.Of(id, 40)})";
        if (!string.IsNullOrEmpty(field)) where += $", field '{field}'";
        return $"{where}: {message}";
    }
}
