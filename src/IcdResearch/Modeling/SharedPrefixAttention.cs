using System.Runtime.CompilerServices;
using IcdResearch.Inference;

namespace IcdResearch.Modeling;

/// <summary>
/// Attention of one decoding step for rows that continue shared prompts (Juravsky et al. 2024, "Hydragen:
/// High-Throughput LLM Inference with Shared Prefixes", §3). Attention over [prefix; suffix] splits into a prefix part
/// and a per-row suffix part; the prefix part of all rows continuing the same prompt reads that prompt's keys and values
/// once per step for all of them, instead of once per row — that read dominates a batch-8 step of a small model over a
/// 512-token prompt (8 copies of the prefix cost more bytes than the weights). Hydragen merges the two parts by their
/// log-sum-exp; here each query's prefix and suffix scores share one softmax and its weighted values are summed over
/// the prompt's positions, then its own, in position order — exactly the operations <see cref="DecodeAttention"/> runs
/// over [prompt; generated] in one buffer, so a row's attention is the same bits whether or not its prompt is shared.
/// The (prompt, key/value head) pairs are split over the decode threads.
/// </summary>
internal static unsafe class SharedPrefixAttention
{
    /// <summary>
    /// Row r's query heads at q + r·<paramref name="qStride"/> (kv·g·d floats, already rotated), attending over the
    /// <paramref name="cache"/>'s stored prompt of the row and its generated keys/values of <paramref name="layer"/>
    /// (the current step's included); writes output [rows, kv·g·d].
    /// </summary>
    public static void Step(float* q, int qStride, SharedPrefixCache cache, int layer, float* output, int kv, int groups, int d)
    {
        var rowGroups = cache.Groups ?? throw new InvalidOperationException("the cache holds no prefix");
        var (prefixKeys, prefixValues) = cache.PrefixBuffers(layer);
        var (keys, values, length) = cache.GeneratedBuffers(layer);
        var mask = cache.PrefixMask;
        var job = new Job(q, qStride, TensorMemory.Floats(prefixKeys), TensorMemory.Floats(prefixValues), (int)prefixKeys.shape[2], cache.PrefixLength,
            TensorMemory.Floats(mask), mask is null ? 0 : (int)mask.shape[3], TensorMemory.Floats(keys), TensorMemory.Floats(values), (int)keys.shape[2], length,
            Ints(rowGroups.Members), Ints(rowGroups.Starts), rowGroups.Count, kv, groups, d, (float)(1.0 / Math.Sqrt(d)), output);
        DecodeWorkers.Run(ref job);
    }

    static int* Ints(int[] pinned) => (int*)Unsafe.AsPointer(ref pinned[0]);

    readonly struct Job(float* q, int qStride, float* prefixKeys, float* prefixValues, int prefixCapacity, int prefixLength,
        float* mask, int maskStride, float* keys, float* values, int capacity, int length, int* members, int* starts, int prompts,
        int kv, int groups, int d, float scale, float* output) : IDecodeJob
    {
        public int PartCount => prompts * kv;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Run(int part, int parts)
        {
            var total = PartCount;
            var (from, to) = ((int)((long)total * part / parts), (int)((long)total * (part + 1) / parts));
            var n = prefixLength + length;   // positions each query attends
            for (var unit = from; unit < to; unit++)
            {
                var (u, head) = Math.DivRem(unit, kv);
                var (first, count) = (starts[u], starts[u + 1] - starts[u]);
                var queries = count * groups;
                var scores = DecodeAttention.Scratch(queries * (n + 1));   // per query: n scores; then the queries' 1/Σ
                var inverses = scores + (long)queries * n;
                var pk = prefixKeys + ((long)u * kv + head) * prefixCapacity * d;
                var pv = prefixValues + ((long)u * kv + head) * prefixCapacity * d;
                for (var j = 0; j < prefixLength; j++)   // the prompt's key j, read once for all its rows' queries
                {
                    var key = pk + (long)j * d;
                    for (var i = 0; i < queries; i++) scores[(long)i * n + j] = DecodeAttention.Dot(Query(members[first + i / groups], head, i % groups), key, d) * scale;
                }
                for (var i = 0; i < queries; i++)
                {
                    var row = members[first + i / groups];
                    float* query = Query(row, head, i % groups), own = scores + (long)i * n;
                    var gk = keys + ((long)row * kv + head) * capacity * d;
                    for (var j = 0; j < length; j++) own[prefixLength + j] = DecodeAttention.Dot(query, gk + (long)j * d, d) * scale;
                    if (mask != null) DecodeAttention.AddMask(own, mask + (long)u * maskStride, prefixLength);
                    inverses[i] = DecodeAttention.Softmax(own, n);
                    new Span<float>(Output(row, head, i % groups), d).Clear();
                }
                for (var j = 0; j < prefixLength; j++)   // the prompt's value j, read once
                {
                    var value = pv + (long)j * d;
                    for (var i = 0; i < queries; i++) DecodeAttention.AddScaled(Output(members[first + i / groups], head, i % groups), value, scores[(long)i * n + j], d);
                }
                for (var i = 0; i < queries; i++)
                {
                    var row = members[first + i / groups];
                    float* o = Output(row, head, i % groups), own = scores + (long)i * n;
                    var gv = values + ((long)row * kv + head) * capacity * d;
                    for (var j = 0; j < length; j++) DecodeAttention.AddScaled(o, gv + (long)j * d, own[prefixLength + j], d);
                    DecodeAttention.Scale(o, inverses[i], d);
                }
            }
        }

        float* Query(int row, int head, int g) => q + (long)row * qStride + (head * groups + g) * d;
        float* Output(int row, int head, int g) => output + ((long)row * kv * groups + head * groups + g) * d;
    }
}
