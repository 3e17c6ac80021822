using System.Runtime.InteropServices;
using IcdResearch.Modeling;
using static TorchSharp.torch;

namespace IcdResearch.Inference;

/// <summary>
/// The model side of one <see cref="Generator"/> call: next-token logits [rows, V] (fp32) for a batch of prompts, then
/// one token per row per step, with rows dropped or repeated between steps (<see cref="Select"/>). Decodes with the
/// <see cref="FusedDecoder"/> and a <see cref="SharedPrefixCache"/> (repeated prompts stored once) when the model supports it, else through
/// <see cref="CausalLM.Forward"/> (with the cache, or recomputing every prefix when caching is off).
/// </summary>
internal abstract class DecodeSession : IDisposable
{
    /// <summary>Logits of the next token after each prompt (prompts are left-padded into one batch).</summary>
    public abstract Tensor Prefill();

    /// <summary>Feeds one token per current row; returns the logits of the token after it.</summary>
    public abstract Tensor Step(ReadOnlySpan<long> tokens);

    /// <summary>Keeps these rows, in this order (a row may repeat: it then continues from the same prefix).</summary>
    public abstract void Select(long[] rows);

    public abstract void Dispose();

    public static DecodeSession Start(CausalLM model, int padId, IReadOnlyList<IReadOnlyList<int>> prompts, int maxNewTokens, bool useCache)
    {
        var fused = useCache ? model.Fused() : null;
        return fused is null ? new Modules(model, padId, prompts, maxNewTokens, useCache) : new Fused(model, fused, padId, prompts, maxNewTokens);
    }

    /// <summary>Left-padded ids [B,T] and, when some prompt is shorter, the 0/1 mask of real tokens.</summary>
    static (Tensor Ids, Tensor? Keep) Batch(IReadOnlyList<IReadOnlyList<int>> prompts, int padId, Device device)
    {
        var width = prompts.Max(p => p.Count);
        var ids = new long[prompts.Count * width];
        var keep = new long[prompts.Count * width];
        for (var b = 0; b < prompts.Count; b++)
        {
            var offset = b * width + width - prompts[b].Count;
            ids.AsSpan(b * width, width - prompts[b].Count).Fill(padId);
            for (var i = 0; i < prompts[b].Count; i++) (ids[offset + i], keep[offset + i]) = (prompts[b][i], 1);
        }
        var padded = prompts.Any(p => p.Count != width);
        return (tensor(ids, [prompts.Count, width], device: device), padded ? tensor(keep, [prompts.Count, width], device: device) : null);
    }

    sealed class Fused : DecodeSession
    {
        readonly FusedDecoder _decoder;
        readonly SharedPrefixCache _cache;
        readonly Tensor _ids;
        readonly Tensor? _keep;
        Tensor _step;   // reused [rows] int64 input of a decode step

        public Fused(CausalLM model, FusedDecoder decoder, int padId, IReadOnlyList<IReadOnlyList<int>> prompts, int maxNewTokens)
        {
            _decoder = decoder;
            (_ids, var keep) = Batch(prompts, padId, model.Device);
            _keep = keep;
            _cache = decoder.NewCache(maxNewTokens);
            _step = zeros(prompts.Count, dtype: ScalarType.Int64);
        }

        public override Tensor Prefill() => _decoder.Prefill(_ids, _keep, _cache);

        public override Tensor Step(ReadOnlySpan<long> tokens)
        {
            if (_step.shape[0] != tokens.Length)
            {
                _step.Dispose();
                _step = zeros(tokens.Length, dtype: ScalarType.Int64);
            }
            tokens.CopyTo(MemoryMarshal.Cast<byte, long>(_step.bytes));
            return _decoder.Step(_step, _cache);
        }

        public override void Select(long[] rows) => _cache.SelectRows(rows);

        public override void Dispose()
        {
            _cache.Dispose();
            _ids.Dispose();
            _keep?.Dispose();
            _step.Dispose();
        }
    }

    /// <summary>The reference path: <see cref="CausalLM.Forward"/> with the HF-style padding mask of every row.</summary>
    sealed class Modules : DecodeSession
    {
        readonly CausalLM _model;
        readonly KvCache? _cache;
        List<List<long>> _rows, _masks;

        public Modules(CausalLM model, int padId, IReadOnlyList<IReadOnlyList<int>> prompts, int maxNewTokens, bool useCache)
        {
            _model = model;
            var width = prompts.Max(p => p.Count);
            _rows = prompts.Select(p => Enumerable.Repeat((long)padId, width - p.Count).Concat(p.Select(t => (long)t)).ToList()).ToList();
            _masks = prompts.Select(p => Enumerable.Repeat(0L, width - p.Count).Concat(Enumerable.Repeat(1L, p.Count)).ToList()).ToList();
            _cache = useCache ? model.NewCache(width + maxNewTokens) : null;
        }

        public override Tensor Prefill() => Forward(_rows[0].Count);

        public override Tensor Step(ReadOnlySpan<long> tokens)
        {
            for (var i = 0; i < tokens.Length; i++)
            {
                _rows[i].Add(tokens[i]);
                _masks[i].Add(1);
            }
            return Forward(_cache is null ? _rows[0].Count : 1);
        }

        /// <summary>Feeds the last <paramref name="feed"/> columns; the mask always spans everything.</summary>
        Tensor Forward(int feed)
        {
            using var scope = NewDisposeScope();
            var width = _rows[0].Count;
            var ids = tensor(_rows.SelectMany(r => r.Skip(width - feed)).ToArray(), [_rows.Count, feed], device: _model.Device);
            var mask = tensor(_masks.SelectMany(m => m).ToArray(), [_rows.Count, width], device: _model.Device);
            return _model.Forward(ids, mask, _cache).select(1, -1).to_type(ScalarType.Float32).contiguous().MoveToOuterDisposeScope();
        }

        public override void Select(long[] rows)
        {
            _cache?.SelectBatch(rows);
            _rows = rows.Select(r => _rows[(int)r].ToList()).ToList();
            _masks = rows.Select(r => _masks[(int)r].ToList()).ToList();
        }

        public override void Dispose() => _cache?.Dispose();
    }
}
