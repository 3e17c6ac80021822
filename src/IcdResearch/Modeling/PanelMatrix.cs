using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using X86 = System.Runtime.Intrinsics.X86;
using TorchSharp;
using static TorchSharp.torch;

namespace IcdResearch.Modeling;

/// <summary>
/// A projection's weight stored for decoding: Wᵀ [K,N] cut into 16-column panels, [⌈N/16⌉,K,16] (the last panel
/// zero-padded), so a decode step's few rows (M = batch rows) stream each panel once, sequentially, and keep its 16
/// columns of 8 rows (AVX-512; else 4 rows) in registers over all of K. libtorch's fp32 GEMM runs these shapes far
/// below the memory bandwidth (measured on a 2-core EPYC: 1 row 15–30 GB/s, 8 rows 6–12 GB/s); the panels, split by
/// columns over the decode threads (<see cref="DecodeWorkers"/>), ran 1 row at 56–70 GB/s and 8 rows 2–3× faster than
/// libtorch there. Each output element is one fused multiply-add chain over k = 0…K−1 from its start value (zero, the
/// bias or the residual), whichever kernel, batch size or thread split computes it — so a row's product does not
/// depend on the other rows of its batch, bit for bit. Prefill (M = prompt tokens) uses libtorch on
/// <see cref="Unpacked"/>.
/// </summary>
public sealed unsafe class PanelMatrix : IDisposable
{
    const int Width = 16;
    readonly Tensor _panels;   // [P,K,16] fp32, CPU, contiguous
    readonly float* _data;     // _panels' storage (fixed for its lifetime)
    int PanelCount => (Outputs + Width - 1) / Width;

    public int Inputs { get; }
    public int Outputs { get; }

    /// <summary>Packs <paramref name="weightT"/>: Wᵀ [K,N] (fp32, CPU).</summary>
    public PanelMatrix(Tensor weightT)
    {
        if (weightT.dtype != ScalarType.Float32 || weightT.device_type != DeviceType.CPU || weightT.dim() != 2)
            throw new ArgumentException("PanelMatrix packs a 2-D fp32 CPU tensor");
        using var scope = NewDisposeScope();
        (Inputs, Outputs) = ((int)weightT.shape[0], (int)weightT.shape[1]);
        var panels = (Outputs + Width - 1) / Width;
        _panels = nn.functional.pad(weightT, [0, panels * Width - Outputs]).view(Inputs, panels, Width).permute(1, 0, 2)
            .contiguous().DetachFromDisposeScope();
        _data = TensorMemory.Floats(_panels);
    }

    /// <summary>Wᵀ [K,N] as a fresh tensor (for libtorch GEMMs over many rows: the prefill).</summary>
    public Tensor Unpacked() => _panels.permute(1, 0, 2).reshape(Inputs, -1).narrow(1, 0, Outputs);

    /// <summary>
    /// start + a·Wᵀ for a [M,K] (fp32, CPU): start is null (zero), a bias [N] added to every row, or a residual [M,N].
    /// Returns a new [M,N] tensor.
    /// </summary>
    public Tensor Multiply(Tensor a, Tensor? start = null)
    {
        if (a.dim() != 2 || a.shape[1] != Inputs) throw new ArgumentException($"expected [M,{Inputs}] input, got [{string.Join(",", a.shape)}]");
        using var scope = NewDisposeScope();
        a = a.is_contiguous() ? a : a.contiguous();
        var m = (int)a.shape[0];
        var rowsOfStart = start is not null && start.dim() == 2;
        if (start is not null)
        {
            var expected = rowsOfStart ? (long)m * Outputs : Outputs;
            if (start.numel() != expected) throw new ArgumentException("the start value must be [N] or [M,N]");
            if (!start.is_contiguous()) start = start.contiguous();
        }
        var y = empty(m, Outputs, ScalarType.Float32);
        MultiplyInto(TensorMemory.Floats(a), m, start is null ? null : TensorMemory.Floats(start), rowsOfStart ? Outputs : 0, TensorMemory.Floats(y));
        return y.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// y = start + a·Wᵀ on raw rows: a [m,K] and y [m,N] row-major; start null (zero), a bias [N]
    /// (<paramref name="startStride"/> 0) or rows [m,N] (stride N) — which may be y itself (each element's start is read
    /// before it is written), but a must not overlap y. The decode step's form of <see cref="Multiply"/>: no tensors.
    /// </summary>
    internal void MultiplyInto(float* a, int m, float* start, int startStride, float* y)
    {
        var job = new Job(a, m, Inputs, _data, Outputs, y, start, startStride, PanelCount);
        DecodeWorkers.Run(ref job);
    }

    /// <summary>a·b + c rounded once (x86 FMA instruction where available; the same value either way).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static Vector256<float> Fma(Vector256<float> a, Vector256<float> b, Vector256<float> c) =>
        X86.Fma.IsSupported ? X86.Fma.MultiplyAdd(a, b, c) : Vector256.FusedMultiplyAdd(a, b, c);

    /// <summary>One multiplication, split into ranges of whole panels (part p of n).</summary>
    internal readonly struct Job(float* a, int m, int k, float* panels, int n, float* y, float* start, int startStride, int panelCount) : IDecodeJob
    {
        public int PartCount => panelCount;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]   // fully optimised from the first call (no tier-0 kernel in a short run)
        public void Run(int part, int parts)
        {
            var total = PartCount;
            var (from, to) = ((int)((long)total * part / parts), (int)((long)total * (part + 1) / parts));
            for (var p = from; p < to; p++) Panel(p);
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        void Panel(int p)
        {
            var c = p * Width;
            var w = panels + (long)p * k * Width;
            if (c + Width > n)
            {
                PartialPanel(c, n - c, w);
                return;
            }
            var r = 0;
            if (Vector512.IsHardwareAccelerated)
            {
                for (; r + 8 <= m; r += 8) EightRows(r, c, w);
                for (; r < m; r++) OneRow512(r, c, w);
                return;
            }
            for (; r + 4 <= m; r += 4) FourRows(r, c, w);
            for (; r < m; r++) OneRow(r, c, w);
        }

        /// <summary>Rows r…r+7, columns c…c+15 with AVX-512: one 16-float register per row, one panel load per k for all eight.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        void EightRows(int r, int c, float* w)
        {
            var depth = k;
            var a0 = a + (long)r * depth;
            Vector512<float> x0, x1, x2, x3, x4, x5, x6, x7;
            if (start == null) x0 = x1 = x2 = x3 = x4 = x5 = x6 = x7 = Vector512<float>.Zero;
            else
            {
                var s0 = start + (long)r * startStride + c;
                x0 = Vector512.Load(s0);
                x1 = Vector512.Load(s0 + startStride);
                x2 = Vector512.Load(s0 + 2 * startStride);
                x3 = Vector512.Load(s0 + 3 * startStride);
                x4 = Vector512.Load(s0 + 4 * startStride);
                x5 = Vector512.Load(s0 + 5 * startStride);
                x6 = Vector512.Load(s0 + 6 * startStride);
                x7 = Vector512.Load(s0 + 7 * startStride);
            }
            for (var i = 0; i < depth; i++, w += Width)
            {
                var v = Vector512.Load(w);
                x0 = Vector512.FusedMultiplyAdd(v, Vector512.Create(a0[i]), x0);
                x1 = Vector512.FusedMultiplyAdd(v, Vector512.Create(a0[depth + i]), x1);
                x2 = Vector512.FusedMultiplyAdd(v, Vector512.Create(a0[2 * depth + i]), x2);
                x3 = Vector512.FusedMultiplyAdd(v, Vector512.Create(a0[3 * depth + i]), x3);
                x4 = Vector512.FusedMultiplyAdd(v, Vector512.Create(a0[4 * depth + i]), x4);
                x5 = Vector512.FusedMultiplyAdd(v, Vector512.Create(a0[5 * depth + i]), x5);
                x6 = Vector512.FusedMultiplyAdd(v, Vector512.Create(a0[6 * depth + i]), x6);
                x7 = Vector512.FusedMultiplyAdd(v, Vector512.Create(a0[7 * depth + i]), x7);
            }
            var y0 = y + (long)r * n + c;
            x0.Store(y0);
            x1.Store(y0 + n);
            x2.Store(y0 + 2 * n);
            x3.Store(y0 + 3 * n);
            x4.Store(y0 + 4 * n);
            x5.Store(y0 + 5 * n);
            x6.Store(y0 + 6 * n);
            x7.Store(y0 + 7 * n);
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        void OneRow512(int r, int c, float* w)
        {
            var depth = k;
            var ar = a + (long)r * depth;
            var x = start == null ? Vector512<float>.Zero : Vector512.Load(start + (long)r * startStride + c);
            for (var i = 0; i < depth; i++, w += Width) x = Vector512.FusedMultiplyAdd(Vector512.Load(w), Vector512.Create(ar[i]), x);
            x.Store(y + (long)r * n + c);
        }

        /// <summary>Without AVX-512: rows r…r+3, columns c…c+15 in 8 accumulators of 8 floats.</summary>
        /// <remarks>No calls in here: ymm registers do not survive calls (SysV), so any call would push the accumulators to the stack.</remarks>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        void FourRows(int r, int c, float* w)
        {
            var depth = k;
            float* a0 = a + (long)r * depth, a1 = a0 + depth, a2 = a1 + depth, a3 = a2 + depth;
            Vector256<float> x00, x01, x10, x11, x20, x21, x30, x31;
            if (start == null) x00 = x01 = x10 = x11 = x20 = x21 = x30 = x31 = Vector256<float>.Zero;
            else
            {
                var s0 = start + (long)r * startStride + c;
                var s1 = s0 + startStride;
                var s2 = s1 + startStride;
                var s3 = s2 + startStride;
                x00 = Vector256.Load(s0);
                x01 = Vector256.Load(s0 + 8);
                x10 = Vector256.Load(s1);
                x11 = Vector256.Load(s1 + 8);
                x20 = Vector256.Load(s2);
                x21 = Vector256.Load(s2 + 8);
                x30 = Vector256.Load(s3);
                x31 = Vector256.Load(s3 + 8);
            }
            for (var i = 0; i < depth; i++, w += Width)
            {
                var v0 = Vector256.Load(w);
                var v1 = Vector256.Load(w + 8);
                var b = Vector256.Create(a0[i]);
                x00 = Fma(v0, b, x00);
                x01 = Fma(v1, b, x01);
                b = Vector256.Create(a1[i]);
                x10 = Fma(v0, b, x10);
                x11 = Fma(v1, b, x11);
                b = Vector256.Create(a2[i]);
                x20 = Fma(v0, b, x20);
                x21 = Fma(v1, b, x21);
                b = Vector256.Create(a3[i]);
                x30 = Fma(v0, b, x30);
                x31 = Fma(v1, b, x31);
            }
            var y0 = y + (long)r * n + c;
            x00.Store(y0);
            x01.Store(y0 + 8);
            x10.Store(y0 + n);
            x11.Store(y0 + n + 8);
            x20.Store(y0 + 2 * n);
            x21.Store(y0 + 2 * n + 8);
            x30.Store(y0 + 3 * n);
            x31.Store(y0 + 3 * n + 8);
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        void OneRow(int r, int c, float* w)
        {
            var depth = k;
            var ar = a + (long)r * depth;
            Vector256<float> x0, x1;
            if (start == null) x0 = x1 = Vector256<float>.Zero;
            else
            {
                var s0 = start + (long)r * startStride + c;
                x0 = Vector256.Load(s0);
                x1 = Vector256.Load(s0 + 8);
            }
            for (var i = 0; i < depth; i++, w += Width)
            {
                var b = Vector256.Create(ar[i]);
                x0 = Fma(Vector256.Load(w), b, x0);
                x1 = Fma(Vector256.Load(w + 8), b, x1);
            }
            var y0 = y + (long)r * n + c;
            x0.Store(y0);
            x1.Store(y0 + 8);
        }

        /// <summary>The last, narrower panel: the same FMA chains, one element at a time.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        void PartialPanel(int c, int width, float* w)
        {
            for (var r = 0; r < m; r++)
            {
                var ar = a + (long)r * k;
                for (var j = 0; j < width; j++)
                {
                    var x = start == null ? 0f : start[(long)r * startStride + c + j];
                    for (var i = 0; i < k; i++) x = MathF.FusedMultiplyAdd(w[(long)i * Width + j], ar[i], x);
                    y[(long)r * n + c + j] = x;
                }
            }
        }
    }

    public void Dispose() => _panels.Dispose();
}
