using IcdResearch.Modeling;
using IcdResearch.Tuning;
using static TorchSharp.torch;

namespace IcdResearch.Tests;

public class SftEncoderTests
{
    readonly TestChatTokenizer _tok = new();

    [Fact]
    public void LossIsOnlyOnTheAnswerAndItsEndToken()
    {
        var seq = new SftEncoder(_tok, 512).Encode(new SftExample("chief complaint: headache", "migraine"))!;
        var scored = seq.InputIds.Zip(seq.Labels).Where(p => p.Second != SftSequence.IgnoreIndex).Select(p => p.First).ToList();
        Assert.Equal(_tok.Encode("migraine").Append(_tok.EosId), scored);
        Assert.All(seq.InputIds.Zip(seq.Labels), p => Assert.True(p.Second == SftSequence.IgnoreIndex || p.Second == p.First));
        var prompt = _tok.Decode(seq.InputIds.Take(seq.InputIds.Length - 9), skipSpecialTokens: false);
        Assert.EndsWith("<|im_start|>assistant\n", prompt);
        Assert.Contains("user\nchief complaint: headache", prompt);
        Assert.False(seq.Truncated);
    }

    [Fact]
    public void LongPromptsAreCutInTheMiddleAndTheAnswerIsKept()
    {
        var record = "HEAD" + new string('x', 300) + "TAIL";
        var encoder = new SftEncoder(_tok, 64);
        var seq = encoder.Encode(new SftExample(record, "ANSWER"))!;
        Assert.True(seq.Truncated);
        Assert.Equal(64, seq.InputIds.Length);
        var text = _tok.Decode(seq.InputIds, skipSpecialTokens: false);
        Assert.StartsWith("<|im_start|>user\nHEAD", text);
        Assert.EndsWith("TAIL<|im_end|>\n<|im_start|>assistant\nANSWER<|im_end|>", text);
        Assert.Equal(7, seq.AnswerTokens);
    }

    [Fact]
    public void ReportCountsTruncatedAndSkippedExamples()
    {
        var encoder = new SftEncoder(_tok, 40);
        var (seqs, report) = encoder.EncodeAll([
            new SftExample("short", "ok"),
            new SftExample(new string('p', 100), "ok"),
            new SftExample("short", new string('a', 45)),
        ]);
        Assert.Equal(2, seqs.Count);
        Assert.Equal(1, report.Truncated);
        Assert.Equal(1, report.SkippedAnswerTooLong);
        Assert.All(seqs, s => Assert.True(s.InputIds.Length <= 40));
    }

    [Fact]
    public void BatchPadsMasksAndSumsTheShiftedAnswerLoss()
    {
        TorchRuntime.EnsureLoaded();
        var encoder = new SftEncoder(_tok, 128);
        var a = encoder.Encode(new SftExample("a", "xy"))!;
        var b = encoder.Encode(new SftExample("a much longer prompt", "z"))!;
        using var batch = new SftBatch([a, b], _tok.PadId);
        Assert.Equal(new long[] { 2, b.InputIds.Length }, batch.InputIds.shape);
        Assert.Equal(a.InputIds.Length, batch.AttentionMask[0].sum().item<long>());
        Assert.Equal(0L, batch.InputIds[0, -1].item<long>());
        Assert.Equal(3 + 2, batch.LossTokens);

        using var logits = randn(2, b.InputIds.Length, 256);
        using var logp = logits.log_softmax(-1);
        double expected = 0;
        foreach (var (seq, row) in new[] { (a, 0), (b, 1) })
            for (var t = 1; t < seq.Labels.Length; t++)
                if (seq.Labels[t] != SftSequence.IgnoreIndex) expected -= logp[row, t - 1, seq.Labels[t]].item<float>();
        Assert.Equal(expected, batch.LossSum(logits).item<float>(), 3);
    }
}
