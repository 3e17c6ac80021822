using System.Diagnostics;
using System.Globalization;
using Spectre.Console;

namespace IcdResearch.Tuning;

/// <summary>
/// Progress of a training loop: a Spectre.Console progress bar (loss, learning rate, tokens/s, ETA) on a terminal, or
/// plain periodic lines ("step 40/400 loss 2.3120 lr 1.00e-04 tok/s 812 eta 00:07:12") when output is redirected
/// (CI, log files). Use <see cref="Run{T}"/> around the loop and call <see cref="Report"/> after each optimizer step.
/// </summary>
public sealed class TrainingProgress
{
    readonly ProgressTask? _task;
    readonly TextWriter? _plain;
    readonly TimeSpan _interval;
    readonly Stopwatch _clock = Stopwatch.StartNew();
    readonly int _startStep;
    TimeSpan _lastLine = TimeSpan.MinValue;
    long _tokens;

    TrainingProgress(int totalSteps, int startStep, ProgressTask? task, TextWriter? plain, TimeSpan interval)
    {
        TotalSteps = totalSteps;
        _startStep = startStep;
        _task = task;
        _plain = plain;
        _interval = interval;
    }

    public int TotalSteps { get; }
    /// <summary>Last reported values (for callers that want to log or test them).</summary>
    public int Step { get; private set; }
    public double Loss { get; private set; } = double.NaN;
    public double LearningRate { get; private set; }
    /// <summary>Tokens per second since this process started the loop (resumed steps are not counted).</summary>
    public double TokensPerSecond => _tokens / Math.Max(1e-9, _clock.Elapsed.TotalSeconds);

    /// <summary>Remaining time extrapolated from the steps done in this process; null before the first step.</summary>
    public TimeSpan? Eta => Step <= _startStep ? null
        : TimeSpan.FromSeconds(_clock.Elapsed.TotalSeconds / (Step - _startStep) * Math.Max(0, TotalSteps - Step));

    /// <summary>
    /// Runs <paramref name="loop"/> with a progress display. <paramref name="startStep"/> is the step a resumed run starts
    /// from. <paramref name="plainOutput"/> forces plain lines to that writer (tests, log files); by default plain lines go
    /// to stdout when it is not an interactive terminal. Plain lines are written at most every <paramref name="plainInterval"/>
    /// (default 10 s) plus on the first and last step.
    /// </summary>
    public static T Run<T>(string title, int totalSteps, Func<TrainingProgress, T> loop, int startStep = 0,
        TextWriter? plainOutput = null, TimeSpan? plainInterval = null)
    {
        var interval = plainInterval ?? TimeSpan.FromSeconds(10);
        if (plainOutput is not null || !IsInteractiveTerminal())
        {
            var writer = plainOutput ?? Console.Out;
            writer.WriteLine($"{title}: {totalSteps} steps" + (startStep > 0 ? $", resuming at step {startStep}" : ""));
            return loop(new TrainingProgress(totalSteps, startStep, null, writer, interval));
        }
        return AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(),
                new RemainingTimeColumn(), new ElapsedTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask(Markup.Escape(title), maxValue: Math.Max(1, totalSteps));
                task.Value = startStep;
                return loop(new TrainingProgress(totalSteps, startStep, task, null, interval));
            });
    }

    /// <summary>Records optimizer step <paramref name="step"/> (1-based count of updates done) and the tokens it consumed.</summary>
    public void Report(int step, double loss, double learningRate, long tokens)
    {
        Step = step;
        Loss = loss;
        LearningRate = learningRate;
        _tokens += tokens;
        if (_task is not null)
        {
            _task.Value = step;
            _task.Description = Markup.Escape(Describe(withEta: false));
            return;
        }
        var now = _clock.Elapsed;
        if (step == _startStep + 1 || step >= TotalSteps || now - _lastLine >= _interval)
        {
            _plain!.WriteLine(Describe(withEta: true));
            _lastLine = now;
        }
    }

    /// <summary>Writes a message (e.g. an evaluation result) above the bar, or as a plain line.</summary>
    public void Log(string message)
    {
        if (_task is not null) AnsiConsole.MarkupLine(Markup.Escape(message));
        else _plain!.WriteLine(message);
    }

    /// <summary>The one-line summary: "step 40/400 loss 2.3120 lr 1.00e-04 tok/s 812 eta 00:07:12".</summary>
    public string Describe(bool withEta = true)
    {
        var c = CultureInfo.InvariantCulture;
        var line = string.Format(c, "step {0}/{1} loss {2:F4} lr {3:0.00e+00} tok/s {4:F0}", Step, TotalSteps, Loss, LearningRate, TokensPerSecond);
        if (withEta) line += Eta is { } eta ? $" eta {(int)eta.TotalHours:D2}:{eta:mm\\:ss}" : " eta ?";
        return line;
    }

    static bool IsInteractiveTerminal() =>
        !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive
        && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI"));
}
