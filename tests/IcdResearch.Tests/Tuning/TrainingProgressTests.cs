using IcdResearch.Progress;
using IcdResearch.Tuning;

namespace IcdResearch.Tests;

public class TrainingProgressTests
{
    static string[] Lines(StringWriter output) => output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    [Fact]
    public void PlainModeWritesLinesWithLossRateThroughputAndEta()
    {
        var output = new StringWriter();
        var result = TrainingProgress.Run("sft", totalSteps: 4, p =>
        {
            for (var s = 1; s <= 4; s++) { Thread.Sleep(5); p.Report(s, loss: 5.0 / s, learningRate: 1e-4, tokens: 100); }
            p.Log("epoch 1 dev loss 1.2345");
            return p.TokensPerSecond;
        }, plainOutput: output, plainInterval: TimeSpan.Zero);

        var lines = Lines(output);
        Assert.Equal("sft: 4 steps", lines[0]);
        Assert.Equal(7, lines.Length);
        Assert.StartsWith("sft: 1/4 steps · loss 5.0000 · lr 1.00e-04 · ", lines[1]);
        Assert.Contains(" tok/s · ", lines[1]);
        Assert.StartsWith("sft: 4/4 steps · loss 1.2500 ", lines[4]);
        Assert.EndsWith("eta 00:00:00", lines[4]);
        Assert.Equal("epoch 1 dev loss 1.2345", lines[5]);
        Assert.StartsWith("sft: 4/4 steps · loss 1.2500 ", lines[6]);
        Assert.Contains("done in 00:00:", lines[6]);
        Assert.True(result > 0 && result < 400 / 0.02, $"tokens/s {result} must reflect 400 tokens over >= 20 ms");
    }

    [Fact]
    public void PlainModeThrottlesToTheIntervalButAlwaysShowsFirstAndLastStep()
    {
        var output = new StringWriter();
        TrainingProgress.Run("pretrain", 100, p =>
        {
            for (var s = 11; s <= 100; s++) p.Report(s, 1, 1e-3, 10);
            return 0;
        }, startStep: 10, plainOutput: output, plainInterval: TimeSpan.FromHours(1));
        var lines = Lines(output);
        Assert.Equal("pretrain: 100 steps, resuming at 10", lines[0]);
        Assert.Equal(4, lines.Length);
        Assert.StartsWith("pretrain: 11/100 steps", lines[1]);
        Assert.StartsWith("pretrain: 100/100 steps", lines[2]);
        Assert.Contains("done in", lines[3]);
    }

    [Fact]
    public void HeartbeatRepeatsTheInnermostStepWhileAUnitTakesLong()
    {
        var output = new StringWriter();
        WorkProgress.Run("outer", 2, "stages", outer =>
        {
            outer.Advance();
            WorkProgress.Run("inference", 3, "records", inner =>
            {
                inner.Advance(figure: "first");
                // One slow unit: nothing is reported meanwhile; it lasts until the heartbeat has spoken (at most 30 s, so a
                // starved thread pool on a loaded machine cannot make this flaky).
                var clock = System.Diagnostics.Stopwatch.StartNew();
                while (Lines(output).Count(l => l.StartsWith("inference: 1/3", StringComparison.Ordinal)) < 2 && clock.Elapsed < TimeSpan.FromSeconds(30))
                    Thread.Sleep(20);
                inner.Advance(2);
            }, plainOutput: output, plainInterval: TimeSpan.FromMilliseconds(40));
            outer.Advance();
        }, plainOutput: output, plainInterval: TimeSpan.FromHours(1));

        var lines = Lines(output);
        Assert.Equal("outer: 2 stages", lines[0]);
        Assert.StartsWith("outer: 1/2 stages", lines[1]);
        Assert.Equal("inference: 3 records", lines[2]);
        Assert.StartsWith("inference: 1/3 records · first · ", lines[3]);
        // The heartbeat repeated the inner step's state (never the outer's) during the slow unit.
        var repeats = lines.Skip(4).TakeWhile(l => !l.StartsWith("inference: 3/3", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(repeats);
        Assert.All(repeats, l => Assert.StartsWith("inference: 1/3 records · first · ", l));
        Assert.Contains(lines, l => l.StartsWith("inference: 3/3 records · first · ", StringComparison.Ordinal) && l.Contains("done in"));
        Assert.StartsWith("outer: 2/2 stages", lines[^2]);
        Assert.Contains("done in", lines[^1]);
    }
}
