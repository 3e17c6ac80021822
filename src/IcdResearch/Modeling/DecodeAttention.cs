using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using X86 = System.Runtime.Intrinsics.X86;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using static TorchSharp.torch;

namespace IcdResearch.Modeling;

/// <summary>
/// Attention of one decoding step when every row continues its own sequence (the contiguous layout of
/// <see cref="Inference.SharedPrefixCache"/>: prompt and generated keys/values in one buffer per row): for each row and
/// key/value head, the scores of its group of query heads against the row's keys, softmax(q·kᵀ/√d + mask), and the
/// weighted sum of its values (Vaswani et al. 2017, Eq. 1). The (row, head) pairs are split over the decode threads
/// (<see cref="DecodeWorkers"/>), each reading its keys and values once. libtorch's attention ran a step's rows on one
/// thread (the step's libtorch ops stay single-threaded: <see cref="Inference.DecodeThreads"/>). Every output element
/// is computed by the same sequence of operations (listed before <see cref="Scratch"/>) whatever the batch, thread split
/// or memory alignment, so a row's attention does not depend on the other rows of its batch, bit for bit — nor on whether its
/// prompt is shared (<see cref="SharedPrefixAttention"/> runs the same sequence).
/// </summary>
internal static unsafe class DecodeAttention
{
    /// <summary>
    /// q: the step's rows [B, ≥ offset + kv·g·d] (contiguous; the query heads start at column <paramref name="qOffset"/>,
    /// already rotated); keys and values: the cache buffers [B,kv,capacity,d] (contiguous), of which positions
    /// [0, <paramref name="length"/>) are attended; mask: additive [B,1,1,≥ length] (contiguous) or null. Returns [B,kv·g·d].
    /// </summary>
    public static Tensor Step(Tensor q, int qOffset, Tensor keys, Tensor values, int length, Tensor? mask, int groups)
    {
        var (b, kv, capacity, d) = ((int)keys.shape[0], (int)keys.shape[1], (int)keys.shape[2], (int)keys.shape[3]);
        if (!q.is_contiguous() || !keys.is_contiguous() || !values.is_contiguous() || q.shape[0] != b || q.shape[1] < qOffset + kv * groups * d
            || length < 1 || length > capacity || (mask is not null && (!mask.is_contiguous() || mask.shape[^1] < length || mask.shape[0] != b)))
            throw new ArgumentException("DecodeAttention.Step: shapes or layouts do not fit");
        var output = empty(b, kv * groups * d, ScalarType.Float32);
        Run(TensorMemory.Floats(q) + qOffset, (int)q.shape[1], TensorMemory.Floats(keys), TensorMemory.Floats(values), capacity, length,
            mask is null ? null : TensorMemory.Floats(mask), mask is null ? 0 : (int)mask.shape[^1], TensorMemory.Floats(output), b, kv, groups, d);
        return output;
    }

    /// <summary>
    /// The same on raw memory: row r's query heads at q + r·<paramref name="qStride"/>; keys and values
    /// [rows,kv,capacity,d]; the mask's row r at mask + r·<paramref name="maskStride"/> (or null); output [rows,kv·g·d].
    /// </summary>
    internal static void Run(float* q, int qStride, float* keys, float* values, int capacity, int length, float* mask, int maskStride,
        float* output, int rows, int kv, int groups, int d)
    {
        var job = new Job(q, qStride, keys, values, kv * capacity * d, capacity * d, length, mask, maskStride, output, rows, kv, groups, d,
            (float)(1.0 / Math.Sqrt(d)));
        DecodeWorkers.Run(ref job);
    }

    /// <summary>The attention of <c>rows·kv</c> (row, key/value head) parts.</summary>
    readonly struct Job(float* q, int qStride, float* keys, float* values, int rowStride, int headStride, int length,
        float* mask, int maskStride, float* output, int rows, int kv, int groups, int d, float scale) : IDecodeJob
    {
        public int PartCount => rows * kv;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Run(int part, int parts)
        {
            var total = PartCount;
            var (from, to) = ((int)((long)total * part / parts), (int)((long)total * (part + 1) / parts));
            if (from == to) return;
            var scores = Scratch(length);
            for (var unit = from; unit < to; unit++)
            {
                var (row, head) = Math.DivRem(unit, kv);
                var k = keys + (long)row * rowStride + (long)head * headStride;
                var v = values + (long)row * rowStride + (long)head * headStride;
                for (var g = 0; g < groups; g++)
                {
                    var query = q + (long)row * qStride + (head * groups + g) * d;
                    for (var j = 0; j < length; j++) scores[j] = Dot(query, k + (long)j * d, d) * scale;
                    if (mask != null) AddMask(scores, mask + (long)row * maskStride, length);
                    var o = output + ((long)row * kv * groups + head * groups + g) * d;
                    new Span<float>(o, d).Clear();
                    var inverse = Softmax(scores, length);
                    for (var j = 0; j < length; j++) AddScaled(o, v + (long)j * d, scores[j], d);
                    Scale(o, inverse, d);
                }
            }
        }
    }

    // The operations every query's attention runs, in this order (both layouts): scores[j] = (q·k_j)·scale for the prompt's
    // positions then the generated ones, + the prompt's additive mask; Softmax; o = Σ_j w_j·v_j in position order; o·(1/Σ).

    [ThreadStatic] static float[]? t_scratch;   // on the pinned object heap: its address never changes

    /// <summary>This thread's score buffer of at least <paramref name="length"/> floats.</summary>
    internal static float* Scratch(int length)
    {
        if (t_scratch is null || t_scratch.Length < length)
            t_scratch = GC.AllocateUninitializedArray<float>(Math.Max(length, 2 * (t_scratch?.Length ?? 0)), pinned: true);
        return (float*)Unsafe.AsPointer(ref t_scratch[0]);
    }

    /// <summary>Σ x[t]·y[t] over t &lt; d: 8-lane fused multiply-adds from t = 0, then the lanes' sum (the same order for every call).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static float Dot(float* x, float* y, int d)
    {
        var t = 0;
        var sum = 0f;
        if (d >= 8)
        {
            var acc = Vector256<float>.Zero;
            for (; t + 8 <= d; t += 8) acc = Fma(Vector256.Load(x + t), Vector256.Load(y + t), acc);
            sum = Vector256.Sum(acc);
        }
        for (; t < d; t++) sum = MathF.FusedMultiplyAdd(x[t], y[t], sum);
        return sum;
    }

    internal static void AddMask(float* scores, float* mask, int length)
    {
        for (var j = 0; j < length; j++) scores[j] += mask[j];
    }

    /// <summary>scores ← exp(scores − max) in place; returns 1/Σ (the sum in a fixed lane order, independent of alignment).</summary>
    internal static float Softmax(float* scores, int length)
    {
        var span = new Span<float>(scores, length);
        TensorPrimitives.Subtract(span, TensorPrimitives.Max(span), span);   // elementwise and the (exact) maximum: order-free
        TensorPrimitives.Exp(span, span);
        var t = 0;
        var acc = Vector256<float>.Zero;
        for (; t + 8 <= length; t += 8) acc += Vector256.Load(scores + t);
        var sum = Vector256.Sum(acc);
        for (; t < length; t++) sum += scores[t];
        return 1f / sum;
    }

    /// <summary>o[t] += w·v[t] for t &lt; d (fused multiply-adds).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void AddScaled(float* o, float* v, float w, int d)
    {
        var t = 0;
        var weight = Vector256.Create(w);
        for (; t + 8 <= d; t += 8) Vector256.Store(Fma(Vector256.Load(v + t), weight, Vector256.Load(o + t)), o + t);
        for (; t < d; t++) o[t] = MathF.FusedMultiplyAdd(v[t], w, o[t]);
    }

    internal static void Scale(float* o, float factor, int d)
    {
        for (var t = 0; t < d; t++) o[t] *= factor;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static Vector256<float> Fma(Vector256<float> a, Vector256<float> b, Vector256<float> c) =>
        X86.Fma.IsSupported ? X86.Fma.MultiplyAdd(a, b, c) : Vector256.FusedMultiplyAdd(a, b, c);
}
