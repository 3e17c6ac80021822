using System.Text;

namespace IcdResearch.Data;

/// <summary>
/// The sampling seed of one record, derived from the run's seed and the record's id (病案标识) — not from the record's
/// position — so a record's sampled answers are the same whatever batch or order it is predicted in
/// (`icd predict --batch 1` and `--batch 16` agree with the scored `icd reproduce` run). The id is hashed with
/// 32-bit FNV-1a over its UTF-8 bytes, which, unlike <see cref="string.GetHashCode()"/>, is stable across processes.
/// </summary>
public static class RecordSeed
{
    public static int For(int seed, string recordId)
    {
        var hash = 2166136261u;
        foreach (var b in Encoding.UTF8.GetBytes(recordId)) hash = (hash ^ b) * 16777619u;
        return (int)((uint)seed * 7919u ^ hash) & int.MaxValue;
    }
}
