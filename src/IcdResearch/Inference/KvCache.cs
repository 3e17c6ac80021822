using static TorchSharp.torch;

namespace IcdResearch.Inference;

/// <summary>
/// Per-layer key/value cache for incremental decoding. Keys and values ([B,kv_heads,S,head_dim], after RoPE) are
/// written into preallocated buffers that grow geometrically, so a decode step copies only the new position.
/// The buffers live outside any dispose scope; dispose the cache when generation ends. This is the
/// module path's cache (<see cref="Modeling.CausalLM.Forward"/>); the <see cref="Modeling.FusedDecoder"/> keeps its
/// state in a <see cref="SharedPrefixCache"/>.
/// </summary>
public sealed class KvCache : IDisposable
{
    readonly Tensor?[] _keys, _values;
    readonly int[] _lengths;
    readonly int _initialCapacity;

    public KvCache(int layers, int initialCapacity = 256)
    {
        _keys = new Tensor?[layers];
        _values = new Tensor?[layers];
        _lengths = new int[layers];
        _initialCapacity = Math.Max(1, initialCapacity);
    }

    /// <summary>Number of cached positions (the same for every layer after a full forward pass).</summary>
    public int Length => _lengths.Length == 0 ? 0 : _lengths.Min();

    public int LayerLength(int layer) => _lengths[layer];

    /// <summary>Appends this step's keys/values [B,kv,T,d] for <paramref name="layer"/>; returns all cached ones [B,kv,S,d].</summary>
    public (Tensor Keys, Tensor Values) Append(int layer, Tensor keys, Tensor values)
    {
        var length = _lengths[layer];
        var needed = length + (int)keys.shape[2];
        if (_keys[layer] is null || _keys[layer]!.shape[2] < needed)
        {
            var capacity = Math.Max(needed, Math.Max(_initialCapacity, 2 * (int)(_keys[layer]?.shape[2] ?? 0)));
            _keys[layer] = Grow(_keys[layer], keys, capacity, length);
            _values[layer] = Grow(_values[layer], values, capacity, length);
        }
        using (keys.requires_grad || values.requires_grad ? no_grad() : null)
        {
            _keys[layer]!.narrow(2, length, keys.shape[2]).copy_(keys);
            _values[layer]!.narrow(2, length, values.shape[2]).copy_(values);
        }
        _lengths[layer] = needed;
        return (_keys[layer]!.narrow(2, 0, needed), _values[layer]!.narrow(2, 0, needed));
    }

    static Tensor Grow(Tensor? old, Tensor like, int capacity, int length)
    {
        var buffer = zeros([like.shape[0], like.shape[1], capacity, like.shape[3]], like.dtype, like.device).DetachFromDisposeScope();
        if (old is not null)
        {
            using (no_grad()) buffer.narrow(2, 0, length).copy_(old.narrow(2, 0, length));
            old.Dispose();
        }
        return buffer;
    }

    /// <summary>Keeps the given batch rows, in that order: drops sequences that finished generating, or repeats a row to expand one prefilled prompt into several continuations that share its prefix.</summary>
    public void SelectBatch(long[] rows)
    {
        var device = _keys.FirstOrDefault(k => k is not null)?.device ?? CPU;
        using var index = tensor(rows, device: device);   // on the cache's device (--device)
        for (var layer = 0; layer < _keys.Length; layer++)
        {
            if (_keys[layer] is null) continue;
            var (k, v) = (_keys[layer]!, _values[layer]!);
            _keys[layer] = k.index_select(0, index).DetachFromDisposeScope();
            _values[layer] = v.index_select(0, index).DetachFromDisposeScope();
            k.Dispose();
            v.Dispose();
        }
    }

    public void Dispose()
    {
        foreach (var t in _keys.Concat(_values)) t?.Dispose();
        Array.Clear(_keys);
        Array.Clear(_values);
        Array.Clear(_lengths);
    }
}
