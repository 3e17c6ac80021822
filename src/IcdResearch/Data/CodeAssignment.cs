namespace IcdResearch.Data;

/// <summary>
/// The codes of one record — gold labels or a prediction: one primary diagnosis code (主要诊断编码) and the
/// other diagnosis codes (其他诊断编码), in file order.
/// </summary>
public sealed record CodeAssignment(string Id, string PrimaryCode, IReadOnlyList<string> OtherCodes)
{
    /// <summary>The other codes as a set (the metrics compare sets).</summary>
    public IReadOnlySet<string> OtherSet => new HashSet<string>(OtherCodes, StringComparer.Ordinal);

    public bool Equals(CodeAssignment? other) =>
        other is not null && Id == other.Id && PrimaryCode == other.PrimaryCode && OtherCodes.SequenceEqual(other.OtherCodes);

    public override int GetHashCode() => HashCode.Combine(Id, PrimaryCode, OtherCodes.Count);
}
