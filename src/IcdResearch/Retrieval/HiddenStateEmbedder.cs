using IcdResearch.Modeling;
using IcdResearch.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace IcdResearch.Retrieval;

/// <summary>
/// Retrieval embedding (b) of §3.1: the mean over non-padding positions of a causal LM's last hidden states (after the
/// final norm) for the raw text, without chat template. Texts are right-padded in batches.
/// </summary>
public sealed class HiddenStateEmbedder(CausalLM model, ITextTokenizer tokenizer, int batchSize = 16, int maxTokens = 256) : ITextEmbedder
{
    public string Name => "hidden";

    public float[][] Embed(IReadOnlyList<string> texts)
    {
        TorchRuntime.EnsureLoaded();
        var result = new List<float[]>(texts.Count);
        var wasTraining = model.training;
        model.eval();
        using var noGrad = no_grad();
        try
        {
            foreach (var batch in texts.Chunk(batchSize))
            {
                using var scope = NewDisposeScope();
                var ids = batch.Select(t => tokenizer.Encode(t.Length == 0 ? " " : t).Take(maxTokens).ToList()).ToList();
                var length = ids.Max(x => x.Count);
                var flat = ids.SelectMany(x => x.Select(v => (long)v).Concat(Enumerable.Repeat((long)tokenizer.PadId, length - x.Count))).ToArray();
                var maskFlat = ids.SelectMany(x => Enumerable.Repeat(1L, x.Count).Concat(Enumerable.Repeat(0L, length - x.Count))).ToArray();
                var input = tensor(flat, [batch.Length, length], device: model.Device);
                var mask = tensor(maskFlat, [batch.Length, length], device: model.Device);
                var hidden = model.HiddenStates(input, mask).to_type(ScalarType.Float32);          // [B, T, H]
                var m = mask.to_type(ScalarType.Float32).unsqueeze(-1);                             // [B, T, 1]
                var pooled = (hidden * m).sum(1) / m.sum(1).clamp_min(1);                            // [B, H]
                var h = (int)pooled.shape[1];
                var data = pooled.cpu().data<float>().ToArray();
                for (var b = 0; b < batch.Length; b++) result.Add(data.AsSpan(b * h, h).ToArray());
            }
        }
        finally
        {
            if (wasTraining) model.train();
        }
        return result.ToArray();
    }
}
