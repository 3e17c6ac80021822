using System.Globalization;
using IcdResearch.Progress;

namespace IcdResearch.Tuning;

/// <summary>
/// Progress of a training loop as a <see cref="WorkProgress"/> step counted in optimizer steps, whose figure is the loss,
/// the learning rate and tokens/s ("pretrain: 40/400 steps · loss 2.3120 · lr 1.00e-04 · 812 tok/s · … · eta 00:07:12").
/// Use <see cref="Run{T}"/> around the loop and call <see cref="Report"/> after each optimizer step.
/// </summary>
public sealed class TrainingProgress
{
    readonly WorkProgress _work;
    readonly System.Diagnostics.Stopwatch _clock = System.Diagnostics.Stopwatch.StartNew();
    long _tokens;

    TrainingProgress(WorkProgress work) => _work = work;

    public int TotalSteps => _work.Total;
    /// <summary>Last reported values (for callers that want to log or test them).</summary>
    public int Step => _work.Done;
    public double Loss { get; private set; } = double.NaN;
    public double LearningRate { get; private set; }
    /// <summary>Tokens per second since this process started the loop (resumed steps are not counted).</summary>
    public double TokensPerSecond => _tokens / Math.Max(1e-9, _clock.Elapsed.TotalSeconds);
    /// <summary>Remaining time extrapolated from the steps done in this process; null before the first step.</summary>
    public TimeSpan? Eta => _work.Eta;

    /// <summary>
    /// Runs <paramref name="loop"/> with a progress display. <paramref name="startStep"/> is the step a resumed run starts
    /// from; <paramref name="plainOutput"/> and <paramref name="plainInterval"/> are those of <see cref="WorkProgress.Run{T}"/>.
    /// </summary>
    public static T Run<T>(string title, int totalSteps, Func<TrainingProgress, T> loop, int startStep = 0,
        TextWriter? plainOutput = null, TimeSpan? plainInterval = null) =>
        WorkProgress.Run(title, totalSteps, "steps", work => loop(new TrainingProgress(work)), startStep, plainOutput, plainInterval);

    /// <summary>Records optimizer step <paramref name="step"/> (1-based count of updates done) and the tokens it consumed.</summary>
    public void Report(int step, double loss, double learningRate, long tokens)
    {
        Loss = loss;
        LearningRate = learningRate;
        _tokens += tokens;
        _work.Report(step, string.Format(CultureInfo.InvariantCulture, "loss {0:F4} · lr {1:0.00e+00} · {2:F0} tok/s", loss, learningRate, TokensPerSecond));
    }

    /// <summary>Writes a message (e.g. an evaluation result) above the bar, or as a plain line.</summary>
    public void Log(string message) => _work.Log(message);

    /// <summary>The one-line state, e.g. "sft: 40/400 steps · loss 2.3120 · lr 1.00e-04 · 812 tok/s · 0.52 steps/s · elapsed … · eta 00:07:12".</summary>
    public string Describe(bool withEta = true) => _work.Describe(withEta);
}
