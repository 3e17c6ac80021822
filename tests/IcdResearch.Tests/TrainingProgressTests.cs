using IcdResearch.Tuning;

namespace IcdResearch.Tests;

public class TrainingProgressTests
{
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

        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.StartsWith("sft: 4 steps", lines[0]);
        Assert.Equal(6, lines.Length);
        Assert.StartsWith("step 1/4 loss 5.0000 lr 1.00e-04 tok/s ", lines[1]);
        Assert.StartsWith("step 4/4 loss 1.2500 ", lines[4]);
        Assert.EndsWith("eta 00:00:00", lines[4]);
        Assert.Equal("epoch 1 dev loss 1.2345", lines[5]);
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
        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains("resuming at step 10", lines[0]);
        Assert.Equal(3, lines.Length);
        Assert.StartsWith("step 11/100", lines[1]);
        Assert.StartsWith("step 100/100", lines[2]);
    }
}
