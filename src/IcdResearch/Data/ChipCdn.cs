namespace IcdResearch.Data;

/// <summary>
/// One CHIP-CDN (CBLUE) pair: a raw diagnosis mention and its standard terms (the file joins them with "##").
/// A blank normalized_result (one record of dev.json) is kept, with an empty term list.
/// </summary>
public sealed record ChipCdnPair(int Index, string Text, IReadOnlyList<string> Terms);

/// <summary>Loads CHIP-CDN train.json / dev.json: <c>[{"text": ..., "normalized_result": "a##b"}]</c>.</summary>
public static class ChipCdn
{
    public static List<ChipCdnPair> Load(string path)
    {
        var result = new List<ChipCdnPair>();
        foreach (var rec in JsonRecordFile.Read(path, idField: null))
        {
            var text = rec.RequiredString("text");
            if (text.Trim().Length == 0) throw rec.Error("empty mention", "text");
            var normalized = rec.RequiredString("normalized_result");
            var terms = string.IsNullOrWhiteSpace(normalized)
                ? []
                : normalized.Split("##").Select(t => t.Trim()).ToList();
            if (terms.Any(t => t.Length == 0)) throw rec.Error($"empty term in \"{normalized}\"", "normalized_result");
            result.Add(new ChipCdnPair(rec.Index, text, terms));
        }
        return result;
    }
}
