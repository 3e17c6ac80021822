using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace IcdResearch.Modeling;

/// <summary>
/// The address of a contiguous CPU tensor's data, for the decode step's kernels that work on raw memory
/// (<see cref="FusedDecoder.Step"/>, <see cref="PanelMatrix"/>, <see cref="DecodeAttention"/>,
/// <see cref="SharedPrefixAttention"/>). libtorch keeps a tensor's storage in place for its lifetime.
/// </summary>
internal static unsafe class TensorMemory
{
    /// <summary>The fp32 data of <paramref name="t"/>; null for a null tensor.</summary>
    public static float* Floats(Tensor? t) => t is null ? null : (float*)Unsafe.AsPointer(ref MemoryMarshal.GetReference(t.bytes));

    /// <summary>The int64 data of <paramref name="t"/>.</summary>
    public static long* Longs(Tensor t) => (long*)Unsafe.AsPointer(ref MemoryMarshal.GetReference(t.bytes));
}
