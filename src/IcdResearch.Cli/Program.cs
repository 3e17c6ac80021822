using System.CommandLine;
using IcdResearch.Cli.Commands;
using IcdResearch.Data;

namespace IcdResearch.Cli;

public static class Program
{
    /// <summary>On any error, also print the stack trace (the message alone otherwise).</summary>
    public static readonly Option<bool> Verbose = new("--verbose")
    {
        Description = "On an error, also print the exception's stack trace.",
        Recursive = true,
    };

    /// <summary>
    /// The CLI's one error boundary: every failure of every command ends here as one located message on stderr (file,
    /// record, field — see <see cref="ErrorReport"/>) and a non-zero exit code; the stack trace only with --verbose.
    /// </summary>
    public static int Main(string[] args)
    {
        var parse = BuildRoot().Parse(args);
        var verbose = parse.GetValue(Verbose);
        if (parse.Errors.Count > 0 && parse.Action is not System.CommandLine.Help.HelpAction)
            return ErrorReport.WriteUsage(parse, Console.Error);
        try
        {
            return parse.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (Exception e)
        {
            return ErrorReport.Write(e, Console.Error, verbose);
        }
    }

    public static RootCommand BuildRoot()
    {
        var root = new RootCommand(
            "icd — IcdResearch: LLM-based ICD coding of Chinese clinical records (CCL25-Eval Task 8) and Code-Centric Learning.\n" +
            $"Datasets are read from --data DIR, else ${DataDirectory.EnvironmentVariable}, else ./data.\n" +
            "Example: icd reproduce --profile smoke --out results");
        root.Options.Add(Verbose);
        var commands = typeof(Program).Assembly.GetTypes()
            .Where(t => typeof(ICliCommand).IsAssignableFrom(t) && t is { IsAbstract: false, IsInterface: false })
            .Select(t => ((ICliCommand)Activator.CreateInstance(t)!).Build())
            .OrderBy(c => c.Name, StringComparer.Ordinal);
        foreach (var command in commands) root.Add(command);
        return root;
    }
}
