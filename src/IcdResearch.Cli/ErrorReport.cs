using System.Reflection;
using System.Text.Json;
using IcdResearch.Data;
using IcdResearch.Tuning;

namespace IcdResearch.Cli;

/// <summary>
/// How a failure is reported: "error: " and the exception's message — which names the file, record and field for bad
/// input (<see cref="DataFormatException"/> and the loaders' messages) — cut to a readable length, then the exit code
/// by kind: 2 bad input or options (nothing was written), 3 a file system fault — an output could not be written (the
/// old file, or none, is left) or a file could not be read —, 1 a fault of the program itself (said so, with its type).
/// The stack trace follows only with --verbose.
/// </summary>
public static class ErrorReport
{
    public const int BadInput = 2;
    public const int OutputFailed = 3;
    public const int InternalError = 1;
    public const int MaxMessageLength = 2000;

    public static int Write(Exception exception, TextWriter stderr, bool verbose)
    {
        var e = Unwrap(exception);
        var (code, prefix) = e switch
        {
            DataFormatException or FileNotFoundException or DirectoryNotFoundException or EndOfStreamException or InvalidDataException or FormatException
                or JsonException or ArgumentException or ResumeMismatchException or KeyNotFoundException => (BadInput, ""),
            IOException or UnauthorizedAccessException => (OutputFailed, ""),
            InvalidOperationException => (BadInput, ""),
            OperationCanceledException => (InternalError, "cancelled: "),
            _ => (InternalError, $"internal error ({e.GetType().Name}): "),
        };
        stderr.WriteLine($"error: {prefix}{Excerpt.Of(e.Message, MaxMessageLength)}");
        if (verbose) stderr.WriteLine(exception.ToString());
        else if (code == InternalError) stderr.WriteLine("(rerun with --verbose for the stack trace)");
        return code;
    }

    /// <summary>Command-line errors (unknown option, out-of-range value, unwritable output): one "error:" line each, exit code 2.</summary>
    public static int WriteUsage(System.CommandLine.ParseResult parse, TextWriter stderr)
    {
        foreach (var error in parse.Errors) stderr.WriteLine($"error: {Excerpt.Of(error.Message, MaxMessageLength)}");
        var command = string.Join(' ', parse.CommandResult.Command.Name == parse.RootCommandResult.Command.Name ? "icd" : $"icd {parse.CommandResult.Command.Name}");
        stderr.WriteLine($"({command} --help lists the options)");
        return BadInput;
    }

    static Exception Unwrap(Exception e) => e switch
    {
        AggregateException { InnerExceptions.Count: 1 } a => Unwrap(a.InnerExceptions[0]),
        TargetInvocationException { InnerException: { } inner } => Unwrap(inner),
        TypeInitializationException { InnerException: { } inner } => Unwrap(inner),
        _ => e,
    };
}
