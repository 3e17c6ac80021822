using static TorchSharp.torch;

namespace IcdResearch.Inference;

/// <summary>
/// Decoding state of the <see cref="Modeling.FusedDecoder"/>. The prompts' keys and values (after RoPE) are stored once
/// per distinct prompt, [prompts,kv_heads,P,head_dim], with the additive mask of their left padding. While every row
/// continues its own prompt (greedy decoding, a batch of records: <see cref="Contiguous"/>) the tokens a row generates
/// are written right after its prompt in the same buffer, so a step's attention is one ordinary attention call over
/// [prompt; generated]. Once rows repeat a prompt (the sampled voting rounds of one record) they share its stored
/// prefix instead of holding copies, their generated tokens move to per-row buffers [rows,kv_heads,capacity,head_dim],
/// and <see cref="Modeling.SharedPrefixAttention"/> reads the prefix once per step for all of them. Buffers grow
/// geometrically, so a step copies only the new position. Also holds each row's next RoPE position. Lives outside any
/// dispose scope; dispose it when generation ends.
/// </summary>
public sealed class SharedPrefixCache : IDisposable
{
    readonly Tensor?[] _prefixKeys, _prefixValues, _keys, _values;
    readonly int[] _lengths;
    readonly int _initialCapacity;
    int[] _prefixOfRow = [];
    int _prefixLength;
    Tensor? _contiguousMask;   // Contiguous with padding: [rows,1,1,≥ positions] — the prompt's mask, then zeros

    public SharedPrefixCache(int layers, int initialCapacity = 64)
    {
        (_prefixKeys, _prefixValues, _keys, _values) = (new Tensor?[layers], new Tensor?[layers], new Tensor?[layers], new Tensor?[layers]);
        _lengths = new int[layers];
        _initialCapacity = Math.Max(1, initialCapacity);
    }

    /// <summary>Number of generated positions cached after the prefix (the same for every layer after a full step).</summary>
    public int Length => _lengths.Length == 0 ? 0 : _lengths.Min();

    /// <summary>Width P of the stored (left-padded) prompts; 0 before the prefill.</summary>
    public int PrefixLength => _prefixLength;

    /// <summary>Row i continues prompt i and its generated keys/values follow the prompt's in one buffer (see the class summary).</summary>
    public bool Contiguous { get; private set; }

    /// <summary>The stored prompt each row continues.</summary>
    public IReadOnlyList<int> PrefixOfRow => _prefixOfRow;

    /// <summary>RoPE position of each row's next token, [rows] int64.</summary>
    internal Tensor? Positions { get; set; }

    /// <summary>Additive mask [prompts,1,1,P] (0, or the dtype's minimum on left-padding columns); null when no prompt is padded.</summary>
    internal Tensor? PrefixMask { get; private set; }

    internal PrefixGroups? Groups { get; private set; }

    /// <summary>The stored prompts' key and value buffers [prompts,kv,capacity,d] of <paramref name="layer"/> (contiguous; the first <see cref="PrefixLength"/> positions hold the prompts).</summary>
    internal (Tensor Keys, Tensor Values) PrefixBuffers(int layer) =>
        (_prefixKeys[layer] ?? throw new InvalidOperationException("no prefix stored"), _prefixValues[layer]!);

    /// <summary>When <see cref="Contiguous"/>: the rows' key and value buffers [rows,kv,capacity,d] of <paramref name="layer"/> (contiguous; prompt, then generated positions).</summary>
    internal (Tensor Keys, Tensor Values) ContiguousBuffers(int layer) => Contiguous
        ? (_prefixKeys[layer]!, _prefixValues[layer]!)
        : throw new InvalidOperationException("the cache is not contiguous");

    /// <summary>
    /// When <see cref="Contiguous"/>: the additive mask [rows,1,1,≥ <paramref name="positions"/>] (contiguous) over prompt
    /// and generated positions, of which the first <paramref name="positions"/> apply; null without padding.
    /// </summary>
    internal Tensor? ContiguousMask(long positions)
    {
        if (PrefixMask is null) return null;
        if (_contiguousMask is null || _contiguousMask.shape[3] < positions)
        {
            var width = Math.Max(positions, Math.Max(_prefixKeys[0]!.shape[2], 2 * (_contiguousMask?.shape[3] ?? 0)));
            _contiguousMask?.Dispose();
            var rows = PrefixMask.shape[0];
            _contiguousMask = cat([PrefixMask, zeros([rows, 1, 1, width - _prefixLength], PrefixMask.dtype, PrefixMask.device)], 3).DetachFromDisposeScope();
        }
        return _contiguousMask;
    }

    /// <summary>Stores one prompt per row: the prefill's keys/values [prompts,kv,P,d] of <paramref name="layer"/> and (once) the padding mask.</summary>
    internal void StorePrefix(int layer, Tensor keys, Tensor values, Tensor? mask)
    {
        if (_lengths[layer] != 0 || _prefixKeys[layer] is not null) throw new InvalidOperationException("the prefix is stored once, before any generated token");
        _prefixKeys[layer] = Empty(keys, (int)keys.shape[2] + _initialCapacity);
        _prefixKeys[layer]!.narrow(2, 0, keys.shape[2]).copy_(keys);
        _prefixValues[layer] = Empty(values, (int)values.shape[2] + _initialCapacity);
        _prefixValues[layer]!.narrow(2, 0, values.shape[2]).copy_(values);
        if (layer != 0) return;
        _prefixLength = (int)keys.shape[2];
        Contiguous = true;
        PrefixMask = mask?.clone().DetachFromDisposeScope();
        _prefixOfRow = Enumerable.Range(0, (int)keys.shape[0]).ToArray();
        SetGroups();
    }

    /// <summary>
    /// Appends one generated position per row to <paramref name="layer"/>: row r's keys (kv heads × d floats, head by head)
    /// at <paramref name="keys"/> + r·<paramref name="keyStride"/>, its values likewise. Buffers grow geometrically when full.
    /// </summary>
    internal unsafe void AppendStep(int layer, int rows, int kv, int d, float* keys, int keyStride, float* values, int valueStride)
    {
        var length = _lengths[layer];
        Tensor keyBuffer, valueBuffer;
        int position;
        if (Contiguous)
        {
            var end = _prefixLength + length + 1;
            if (_prefixKeys[layer]!.shape[2] < end)
            {
                var width = _prefixLength + Math.Max(length + 1, 2 * length);
                _prefixKeys[layer] = Grow(_prefixKeys[layer]!, width, _prefixLength + length);
                _prefixValues[layer] = Grow(_prefixValues[layer]!, width, _prefixLength + length);
            }
            (keyBuffer, valueBuffer, position) = (_prefixKeys[layer]!, _prefixValues[layer]!, _prefixLength + length);
        }
        else
        {
            if (_keys[layer]!.shape[2] < length + 1)   // the per-row buffers exist since the cache left Contiguous (SplitGenerated)
            {
                var capacity = Math.Max(length + 1, 2 * (int)_keys[layer]!.shape[2]);
                _keys[layer] = Grow(_keys[layer]!, capacity, length);
                _values[layer] = Grow(_values[layer]!, capacity, length);
            }
            (keyBuffer, valueBuffer, position) = (_keys[layer]!, _values[layer]!, length);
        }
        if (keyBuffer.shape[0] != rows || keyBuffer.shape[1] != kv || keyBuffer.shape[3] != d)
            throw new ArgumentException($"{rows} rows × {kv} heads × {d} do not fit the cache's [{string.Join(",", keyBuffer.shape)}]");
        var capacityOf = (int)keyBuffer.shape[2];
        float* k = Modeling.TensorMemory.Floats(keyBuffer), v = Modeling.TensorMemory.Floats(valueBuffer);
        var bytes = (long)d * sizeof(float);
        for (var r = 0; r < rows; r++)
            for (var h = 0; h < kv; h++)
            {
                var at = (((long)r * kv + h) * capacityOf + position) * d;
                Buffer.MemoryCopy(keys + (long)r * keyStride + (long)h * d, k + at, bytes, bytes);
                Buffer.MemoryCopy(values + (long)r * valueStride + (long)h * d, v + at, bytes, bytes);
            }
        _lengths[layer] = length + 1;
    }

    /// <summary>When not <see cref="Contiguous"/>: the rows' generated key and value buffers [rows,kv,capacity,d] of <paramref name="layer"/> and how many positions they hold.</summary>
    internal (Tensor Keys, Tensor Values, int Length) GeneratedBuffers(int layer) => !Contiguous && _keys[layer] is { } keys
        ? (keys, _values[layer]!, _lengths[layer])
        : throw new InvalidOperationException("no generated keys stored apart from the prompts");

    /// <summary>Per-step working buffers of the decoder that fills this cache (reused by its steps, disposed with the cache).</summary>
    internal IDisposable? Scratch { get; set; }

    /// <summary>A buffer like <paramref name="old"/> with <paramref name="capacity"/> positions holding its first <paramref name="length"/>; disposes the old one.</summary>
    static Tensor Grow(Tensor old, int capacity, int length)
    {
        var buffer = zeros([old.shape[0], old.shape[1], capacity, old.shape[3]], old.dtype, old.device).DetachFromDisposeScope();
        buffer.narrow(2, 0, length).copy_(old.narrow(2, 0, length));
        old.Dispose();
        return buffer;
    }

    static Tensor Empty(Tensor like, int capacity) =>
        zeros([like.shape[0], like.shape[1], capacity, like.shape[3]], like.dtype, like.device).DetachFromDisposeScope();

    /// <summary>
    /// Keeps the given rows, in that order: drops sequences that finished, or repeats a row so that several
    /// continuations share its prompt. Only the generated part is copied; a prompt no row continues is released.
    /// </summary>
    public void SelectRows(long[] rows)
    {
        var device = Positions?.device ?? _prefixKeys[0]?.device ?? CPU;
        if (Contiguous && rows.Distinct().Count() < rows.Length) SplitGenerated();
        using (var index = tensor(rows, device: device))
        {
            if (Contiguous)   // row i keeps prompt i: the buffers' rows (prompt and generated part) are selected together
            {
                for (var layer = 0; layer < _keys.Length; layer++)
                {
                    _prefixKeys[layer] = Select(_prefixKeys[layer], index);
                    _prefixValues[layer] = Select(_prefixValues[layer], index);
                }
                PrefixMask = Select(PrefixMask, index);
                _contiguousMask = Select(_contiguousMask, index);
                Positions = Select(Positions, index);
                _prefixOfRow = Enumerable.Range(0, rows.Length).ToArray();
                SetGroups();
                return;
            }
            for (var layer = 0; layer < _keys.Length; layer++)
            {
                _keys[layer] = Select(_keys[layer], index);
                _values[layer] = Select(_values[layer], index);
            }
            Positions = Select(Positions, index);
        }
        var prefixOfRow = rows.Select(r => _prefixOfRow[r]).ToArray();
        var used = prefixOfRow.Distinct().Order().ToArray();
        if (used.Length < (_prefixKeys[0]?.shape[0] ?? used.Length))
        {
            using var keep = tensor(used.Select(u => (long)u).ToArray(), device: device);
            for (var layer = 0; layer < _keys.Length; layer++)
            {
                _prefixKeys[layer] = Select(_prefixKeys[layer], keep);
                _prefixValues[layer] = Select(_prefixValues[layer], keep);
            }
            PrefixMask = Select(PrefixMask, keep);
            var renumber = used.Select((u, i) => (u, i)).ToDictionary(p => p.u, p => p.i);
            prefixOfRow = prefixOfRow.Select(u => renumber[u]).ToArray();
        }
        _prefixOfRow = prefixOfRow;
        SetGroups();
    }

    /// <summary>Leaves <see cref="Contiguous"/>: the generated part of each prompt's buffer moves to per-row buffers.</summary>
    void SplitGenerated()
    {
        for (var layer = 0; layer < _keys.Length; layer++)
        {
            var width = (int)_prefixKeys[layer]!.shape[2] - _prefixLength;
            _keys[layer] = _prefixKeys[layer]!.narrow(2, _prefixLength, width).clone().DetachFromDisposeScope();
            _values[layer] = _prefixValues[layer]!.narrow(2, _prefixLength, width).clone().DetachFromDisposeScope();
        }
        _contiguousMask?.Dispose();
        _contiguousMask = null;
        Contiguous = false;
    }

    void SetGroups() => Groups = PrefixGroups.For(_prefixOfRow, _prefixOfRow.Length == 0 ? 0 : _prefixOfRow.Max() + 1);

    static Tensor? Select(Tensor? old, Tensor index)
    {
        if (old is null) return null;
        var selected = old.index_select(0, index).DetachFromDisposeScope();
        old.Dispose();
        return selected;
    }

    public void Dispose()
    {
        Scratch?.Dispose();
        Scratch = null;
        foreach (var t in _prefixKeys.Concat(_prefixValues).Concat(_keys).Concat(_values).Append(Positions).Append(PrefixMask).Append(_contiguousMask)) t?.Dispose();
        (Positions, PrefixMask, Groups, _contiguousMask) = (null, null, null, null);
        (_prefixLength, Contiguous) = (0, false);
        foreach (var a in new[] { _prefixKeys, _prefixValues, _keys, _values }) Array.Clear(a);
        Array.Clear(_lengths);
    }
}
