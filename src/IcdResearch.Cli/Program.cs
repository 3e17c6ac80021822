using System.CommandLine;
using IcdResearch.Cli.Commands;
using IcdResearch.Data;

namespace IcdResearch.Cli;

public static class Program
{
    public static int Main(string[] args)
    {
        try
        {
            return BuildRoot().Parse(args).Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (Exception e) when (e is DataFormatException or FileNotFoundException or DirectoryNotFoundException or ArgumentException or InvalidDataException or InvalidOperationException)
        {
            // Bad input: one clear line (file, record, field) and exit code 2; nothing half-written is left behind by the library.
            Console.Error.WriteLine($"error: {e.Message}");
            return 2;
        }
    }

    public static RootCommand BuildRoot()
    {
        var root = new RootCommand(
            "icd — IcdResearch: LLM-based ICD coding of Chinese clinical records (CCL25-Eval Task 8) and Code-Centric Learning.\n" +
            $"Datasets are read from --data DIR, else ${DataDirectory.EnvironmentVariable}, else ./data.\n" +
            "Example: icd reproduce --profile smoke --out results");
        var commands = typeof(Program).Assembly.GetTypes()
            .Where(t => typeof(ICliCommand).IsAssignableFrom(t) && t is { IsAbstract: false, IsInterface: false })
            .Select(t => ((ICliCommand)Activator.CreateInstance(t)!).Build())
            .OrderBy(c => c.Name, StringComparer.Ordinal);
        foreach (var command in commands) root.Add(command);
        return root;
    }
}
