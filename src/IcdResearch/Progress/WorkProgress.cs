using System.Diagnostics;
using System.Globalization;
using Spectre.Console;

namespace IcdResearch.Progress;

/// <summary>
/// Progress of one long step (pretraining, a fine-tuning, an inference pass, a baseline fit, a bootstrap): a
/// Spectre.Console bar with ETA and the step's figure (loss, tokens/s, records/s) on an interactive terminal, or plain
/// lines ("primary first pass: 16/48 records · 0.8 records/s · elapsed 00:00:20 · eta 00:00:40") when stdout is not a
/// terminal (CI logs, pipes). Steps nest: an inner step is a second bar of the same display, and in plain mode a
/// heartbeat repeats the innermost step's state whenever nothing was written for <see cref="PlainInterval"/>, so a log
/// never falls silent for longer while any step runs. <see cref="Tuning.TrainingProgress"/> reports through this class.
/// </summary>
public sealed class WorkProgress
{
    /// <summary>Environment variable overriding <see cref="PlainInterval"/> in seconds (e.g. 1 for a test, 30 for quiet logs).</summary>
    public const string IntervalVariable = "ICD_PROGRESS_SECONDS";

    static readonly object Gate = new();
    static readonly AsyncLocal<TextWriter?> LinesTo = new();
    static readonly List<WorkProgress> Active = [];
    static readonly Stopwatch Clock = Stopwatch.StartNew();
    static ProgressContext? _display;
    static Timer? _heartbeat;
    static TimeSpan _heartbeatPeriod;
    static TimeSpan _lastLine = TimeSpan.MinValue;

    readonly ProgressTask? _task;
    readonly TextWriter? _plain;
    readonly TimeSpan _interval;
    readonly TimeSpan _started = Clock.Elapsed;
    readonly int _startDone;
    bool _reported;

    WorkProgress(string title, int total, string unit, int startDone, ProgressTask? task, TextWriter? plain, TimeSpan interval)
    {
        Title = title;
        Total = total;
        Unit = unit;
        Done = _startDone = startDone;
        _task = task;
        _plain = plain;
        _interval = interval;
    }

    /// <summary>How often plain lines are written at most (plus the first and last), and the heartbeat period: 5 s unless <see cref="IntervalVariable"/> says otherwise.</summary>
    public static TimeSpan PlainInterval =>
        double.TryParse(Environment.GetEnvironmentVariable(IntervalVariable), NumberStyles.Float, CultureInfo.InvariantCulture, out var s) && s > 0
            ? TimeSpan.FromSeconds(s) : TimeSpan.FromSeconds(5);

    /// <summary>
    /// Sends this flow's progress as plain lines to <paramref name="writer"/> until disposed — for commands whose stdout
    /// is a document (e.g. <c>icd bench</c>'s JSON goes to stdout, its progress to stderr). Flows with the async
    /// context, so concurrent callers (tests) do not see each other's choice.
    /// </summary>
    public static IDisposable WriteLinesTo(TextWriter writer)
    {
        var previous = LinesTo.Value;
        LinesTo.Value = writer;
        return new Restore(() => LinesTo.Value = previous);
    }

    sealed class Restore(Action undo) : IDisposable
    {
        public void Dispose() => undo();
    }

    public string Title { get; }
    public int Total { get; }
    /// <summary>What is counted, plural ("records", "steps", "resamples").</summary>
    public string Unit { get; }
    public int Done { get; private set; }
    /// <summary>The step's own figure, e.g. "loss 2.3120 · 812 tok/s" (null: none yet).</summary>
    public string? Figure { get; private set; }
    public TimeSpan Elapsed => Clock.Elapsed - _started;
    /// <summary>Units per second done in this process (a resumed run's earlier units are not counted).</summary>
    public double Rate => (Done - _startDone) / Math.Max(1e-9, Elapsed.TotalSeconds);
    /// <summary>Remaining time extrapolated from this process's rate; null before the first unit.</summary>
    public TimeSpan? Eta => Done <= _startDone ? null : TimeSpan.FromSeconds(Math.Max(0, Total - Done) / Rate);

    /// <summary>
    /// Runs <paramref name="work"/> as a step of <paramref name="total"/> <paramref name="unit"/> (already
    /// <paramref name="startDone"/> done, for a resumed run). <paramref name="plainOutput"/> forces plain lines to that
    /// writer (tests, log files); <paramref name="plainInterval"/> overrides <see cref="PlainInterval"/>.
    /// </summary>
    public static T Run<T>(string title, int total, string unit, Func<WorkProgress, T> work, int startDone = 0,
        TextWriter? plainOutput = null, TimeSpan? plainInterval = null)
    {
        var interval = plainInterval ?? PlainInterval;
        if (total <= 0) return work(new WorkProgress(title, 0, unit, 0, null, null, interval)); // nothing to show
        plainOutput ??= LinesTo.Value;
        if (plainOutput is null && _display is null && Active.Count == 0 && IsInteractiveTerminal())
        {
            // Outermost step on a terminal: it owns the live display; nested steps add their bars to it.
            // Finished steps leave their one-line summary above the bars instead of a finished bar.
            return AnsiConsole.Progress()
                .AutoClear(false)
                .HideCompleted(true)
                .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(),
                    new RemainingTimeColumn(), new ElapsedTimeColumn())
                .Start(ctx =>
                {
                    _display = ctx;
                    try { return Execute(title, total, unit, work, startDone, null, interval); }
                    finally { _display = null; }
                });
        }
        return Execute(title, total, unit, work, startDone, _display is null ? plainOutput ?? Console.Out : null, interval);
    }

    /// <inheritdoc cref="Run{T}"/>
    public static void Run(string title, int total, string unit, Action<WorkProgress> work, int startDone = 0,
        TextWriter? plainOutput = null, TimeSpan? plainInterval = null) =>
        Run(title, total, unit, p => { work(p); return 0; }, startDone, plainOutput, plainInterval);

    static T Execute<T>(string title, int total, string unit, Func<WorkProgress, T> work, int startDone, TextWriter? plain, TimeSpan interval)
    {
        ProgressTask? task = null;
        if (_display is { } display)
        {
            task = display.AddTask(Markup.Escape(title), maxValue: Math.Max(1, total));
            task.Value = startDone;
        }
        var progress = new WorkProgress(title, total, unit, startDone, task, plain, interval);
        lock (Gate)
        {
            Active.Add(progress);
            if (plain is not null && interval > TimeSpan.Zero && (_heartbeat is null || interval / 2 < _heartbeatPeriod))
            {
                // One timer for all steps, ticking at half the shortest interval of the running steps.
                _heartbeat?.Dispose();
                _heartbeatPeriod = interval / 2;
                _heartbeat = new Timer(_ => Heartbeat(), null, _heartbeatPeriod, _heartbeatPeriod);
            }
        }
        progress.Write($"{title}: {total:N0} {unit}" + (startDone > 0 ? $", resuming at {startDone:N0}" : ""));
        try
        {
            var result = work(progress);
            progress.Log(progress.Describe(finished: true));
            return result;
        }
        finally
        {
            task?.StopTask();
            lock (Gate)
            {
                Active.Remove(progress);
                if (Active.Count == 0) { _heartbeat?.Dispose(); _heartbeat = null; }
            }
        }
    }

    /// <summary>Records <paramref name="done"/> units done so far and, optionally, the step's current figure.</summary>
    public void Report(int done, string? figure = null)
    {
        Done = done;
        if (figure is not null) Figure = figure;
        if (_task is not null)
        {
            _task.Value = done;
            _task.Description = Markup.Escape(Describe(withTiming: false));
            return;
        }
        var first = !_reported;
        _reported = true;
        if (first || done >= Total || Clock.Elapsed - _lastLine >= _interval) Write(Describe());
    }

    /// <summary>Adds <paramref name="count"/> units to <see cref="Done"/>.</summary>
    public void Advance(int count = 1, string? figure = null) => Report(Done + count, figure);

    /// <summary>Writes a message (e.g. an evaluation result) above the bars, or as a plain line.</summary>
    public void Log(string message)
    {
        if (_task is not null) AnsiConsole.MarkupLine(Markup.Escape(message));
        else Write(message);
    }

    /// <summary>"title: 16/48 records · loss 2.31 · 0.8 records/s · elapsed 00:00:20 · eta 00:00:40" (finished: "… done in 00:01:00").</summary>
    public string Describe(bool withTiming = true, bool finished = false)
    {
        var c = CultureInfo.InvariantCulture;
        var parts = new List<string> { string.Format(c, "{0}: {1:N0}/{2:N0} {3}", Title, Done, Total, Unit) };
        if (Figure is not null) parts.Add(Figure);
        if (Done > _startDone) parts.Add(string.Format(c, Rate >= 10 ? "{0:F0} {1}/s" : "{0:0.00} {1}/s", Rate, Unit));
        if (finished) parts.Add($"done in {Hms(Elapsed)}");
        else if (withTiming) parts.Add($"elapsed {Hms(Elapsed)} · eta {(Eta is { } eta ? Hms(eta) : "?")}");
        return string.Join(" · ", parts);

        static string Hms(TimeSpan t) => $"{(int)t.TotalHours:D2}:{t:mm\\:ss}";
    }

    void Write(string line)
    {
        if (_plain is null) return;
        lock (Gate)
        {
            _plain.WriteLine(line);
            _plain.Flush();
            _lastLine = Clock.Elapsed;
        }
    }

    static void Heartbeat()
    {
        WorkProgress? innermost;
        lock (Gate)
        {
            // Only steps with an interval get heartbeats: a step with interval zero writes every report anyway
            // (and a concurrent step's timer must not add lines to its output).
            innermost = Active.LastOrDefault(p => p._plain is not null && p._interval > TimeSpan.Zero);
            if (innermost is null || Clock.Elapsed - _lastLine < innermost._interval) return;
        }
        innermost.Write(innermost.Describe());
    }

    /// <summary>A live display only on an interactive terminal, never in CI (CI=true) or when stdout is redirected.</summary>
    public static bool IsInteractiveTerminal() =>
        !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive
        && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI"));
}
