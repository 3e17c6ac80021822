using IcdResearch.Modeling;
using IcdResearch.Tuning;
using static TorchSharp.torch;

namespace IcdResearch.Tests;

public class LearningRateScheduleTests
{
    [Fact]
    public void WarmupRisesMonotonicallyToThePeak()
    {
        var s = new LearningRateSchedule(1e-3, WarmupSteps: 10, TotalSteps: 100);
        var warm = Enumerable.Range(0, 10).Select(s.At).ToList();
        Assert.True(warm[0] > 0);
        Assert.True(warm.Zip(warm.Skip(1)).All(p => p.Second > p.First));
        Assert.True(warm[^1] < 1e-3);
        Assert.Equal(1e-3, s.At(10), 12);
    }

    [Fact]
    public void LinearDecayIsAStraightLineToTheFloor()
    {
        var s = new LearningRateSchedule(1.0, 0, 100, LearningRateDecay.Linear, MinRatio: 0.1);
        Assert.Equal(1.0, s.At(0), 12);
        Assert.Equal(0.55, s.At(50), 12);   // halfway between 1.0 and 0.1
        Assert.Equal(0.1, s.At(100), 12);
        Assert.Equal(0.1, s.At(500), 12);   // clamps after the end
    }

    [Fact]
    public void CosineDecayHitsHalfwayAtTheMidpointAndFloorAtTheEnd()
    {
        var s = new LearningRateSchedule(2.0, 10, 110, LearningRateDecay.Cosine);
        Assert.Equal(2.0, s.At(10), 12);
        Assert.Equal(1.0, s.At(60), 9);
        Assert.Equal(0.0, s.At(110), 12);
        Assert.True(s.At(30) > 1.5 && s.At(30) < 2.0, "cosine decays slowly at first");
    }

    [Fact]
    public void ApplySetsTheOptimizerRate()
    {
        TorchRuntime.EnsureLoaded();
        using var lin = nn.Linear(2, 2);
        var opt = optim.AdamW(lin.parameters(), lr: 1.0);
        var s = new LearningRateSchedule(0.5, 0, 10, LearningRateDecay.Constant);
        Assert.Equal(0.5, s.Apply(opt, 3));
        Assert.All(opt.ParamGroups, g => Assert.Equal(0.5, g.LearningRate));
    }

    [Fact]
    public void ParsesCommandLineSpellingAndRejectsUnknown()
    {
        Assert.Equal(LearningRateDecay.Cosine, LearningRateSchedule.ParseDecay("Cosine"));
        Assert.Equal(LearningRateDecay.Linear, LearningRateSchedule.ParseDecay("linear"));
        Assert.Throws<ArgumentException>(() => LearningRateSchedule.ParseDecay("step"));
    }
}
