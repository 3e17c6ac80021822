using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Scripting;
using Microsoft.CodeAnalysis.Scripting;

namespace IcdResearch.Tests.Notebooks;

/// <summary>A notebook cell failed to compile or threw: names the notebook and the cell.</summary>
public sealed class NotebookCellException(string notebook, int cell, string message, Exception? inner = null)
    : Exception($"{notebook}, cell [{cell}]: {message}", inner)
{
    public string Notebook { get; } = notebook;
    public int Cell { get; } = cell;
}

/// <summary>
/// Executes the C# cells of a Polyglot notebook in order with Roslyn scripting, sharing state between cells like the
/// .NET Interactive C# kernel (which is not available here). Directives:
/// <list type="bullet">
/// <item><c>#r "nuget: Id, Version"</c> resolves to this test project's own reference to that package (from its
/// deps.json, with the package's dependencies); asking for a version the tests don't reference is an error.</item>
/// <item><c>#r "relative/path.dll"</c> resolves relative to the notebook; the path must point into this repository's
/// build output of a project that exists, and the copy of that assembly built with the tests is used.</item>
/// <item><c>#!csharp</c> / <c>#!c#</c> select the C# kernel, <c>#!time</c> is ignored; any other kernel or magic
/// command fails the cell, so a notebook cannot silently skip code.</item>
/// </list>
/// Globals: <see cref="NotebookGlobals"/> (<c>display</c>, <c>HTML</c>).
/// </summary>
public sealed partial class NotebookRunner
{
    static readonly string[] DefaultImports = ["System", "System.Collections.Generic", "System.IO", "System.Linq", "System.Text", "System.Threading.Tasks"];

    readonly string _binDirectory = AppContext.BaseDirectory;
    readonly Lazy<PackageGraph> _packages;

    public NotebookRunner() => _packages = new(() => PackageGraph.Load(_binDirectory));

    public sealed record Run(NotebookDocument Notebook, int CodeCellsRun, IReadOnlyList<DisplayedValue> Displayed);

    public async Task<Run> RunAsync(string notebookPath)
    {
        var notebook = NotebookDocument.Load(notebookPath);
        var name = Path.GetFileName(notebookPath);
        var globals = new NotebookGlobals();
        var options = ScriptOptions.Default
            .WithReferences(FrameworkReferences())
            .AddReferences(typeof(NotebookGlobals).Assembly)
            .WithImports(DefaultImports)
            .WithFilePath(notebookPath)
            .WithEmitDebugInformation(false)
            .WithLanguageVersion(Microsoft.CodeAnalysis.CSharp.LanguageVersion.Latest);
        ScriptState<object>? state = null;
        var codeCells = 0;
        foreach (var cell in notebook.Cells)
        {
            if (cell.CellType != "code") continue;
            string code, kernel;
            List<MetadataReference> references;
            try
            {
                (code, references, kernel) = Preprocess(name, notebook, cell);
            }
            catch (InvalidOperationException e)
            {
                throw new NotebookCellException(name, cell.Index, e.Message, e);
            }
            if (kernel == "markdown") continue;
            codeCells++;
            globals.CurrentCell = cell.Index;
            options = options.AddReferences(references);
            try
            {
                state = state is null
                    ? await CSharpScript.RunAsync(code, options, globals, typeof(NotebookGlobals))
                    : await state.ContinueWithAsync(code, options);
            }
            catch (CompilationErrorException e)
            {
                throw new NotebookCellException(name, cell.Index, "does not compile:\n" + string.Join("\n", e.Diagnostics.Select(d => d.ToString())), e);
            }
            catch (Exception e) when (e is not NotebookCellException)
            {
                throw new NotebookCellException(name, cell.Index, $"threw {e.GetType().Name}: {e.Message}\n{e.StackTrace}", e);
            }
            // Like the kernel, a trailing expression's value is displayed.
            if (state.ReturnValue is not null) globals.display(state.ReturnValue);
        }
        return new Run(notebook, codeCells, globals.Displayed);
    }

    (string Code, List<MetadataReference> References, string Kernel) Preprocess(string name, NotebookDocument notebook, NotebookCell cell)
    {
        var kernel = cell.Kernel ?? notebook.DefaultKernel ?? "csharp";
        var lines = cell.Source.Replace("\r\n", "\n").Split('\n');
        var references = new List<MetadataReference>();
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (line.StartsWith("#!"))
            {
                var magic = line[2..].Split(' ', 2)[0].ToLowerInvariant();
                if (magic is "csharp" or "c#") kernel = "csharp";
                else if (magic is "markdown") kernel = "markdown";
                else if (magic is not "time")
                    throw new NotebookCellException(name, cell.Index, $"line {i + 1}: magic command `{line}` is not supported by the notebook test runner.");
                lines[i] = "";
            }
            else if (line.StartsWith("#i "))
            {
                lines[i] = ""; // package sources: the test project's references are already restored
            }
            else if (NugetReference().Match(line) is { Success: true } nuget)
            {
                references.AddRange(_packages.Value.Resolve(nuget.Groups["id"].Value, nuget.Groups["version"].Success ? nuget.Groups["version"].Value : null)
                    .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p)));
                lines[i] = "";
            }
            else if (PathReference().Match(line) is { Success: true } path)
            {
                references.Add(MetadataReference.CreateFromFile(ResolveAssemblyPath(name, cell.Index, notebook.Path, path.Groups["path"].Value)));
                lines[i] = "";
            }
        }
        if (kernel is not ("csharp" or "c#" or "markdown"))
            throw new NotebookCellException(name, cell.Index, $"kernel `{kernel}` is not supported by the notebook test runner (C# only).");
        return (string.Join('\n', lines), references, kernel);
    }

    /// <summary>`#r "../src/Project/bin/…/Assembly.dll"`: checks the project exists relative to the notebook and uses
    /// the copy of Assembly.dll built next to the tests (the same sources; works for Debug, Release and ICD_BUILD_SLOT).</summary>
    string ResolveAssemblyPath(string name, int cell, string notebookPath, string relative)
    {
        var full = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(Path.GetFullPath(notebookPath))!, relative));
        var binAt = full.Replace('\\', '/').IndexOf("/bin/", StringComparison.Ordinal);
        var projectDir = binAt < 0 ? null : full[..binAt];
        if (File.Exists(full) is false && (projectDir is null || !Directory.Exists(projectDir)))
            throw new NotebookCellException(name, cell, $"#r \"{relative}\": {full} does not exist, nor does its project folder.");
        var local = Path.Combine(_binDirectory, Path.GetFileName(full));
        if (File.Exists(local)) return local;
        if (File.Exists(full)) return full;
        throw new NotebookCellException(name, cell, $"#r \"{relative}\": {full} is not built (run `dotnet build -c Release`).");
    }

    static IEnumerable<MetadataReference> FrameworkReferences()
    {
        var frameworkDir = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        return ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Where(p => Path.GetDirectoryName(p) == frameworkDir)
            .Select(p => MetadataReference.CreateFromFile(p));
    }

    [GeneratedRegex("^#r\\s+\"nuget:\\s*(?<id>[^,\"\\s]+)\\s*(,\\s*(?<version>[^\"\\s]+))?\\s*\"\\s*$")]
    private static partial Regex NugetReference();

    [GeneratedRegex("^#r\\s+\"(?<path>[^\"]+\\.dll)\"\\s*$")]
    private static partial Regex PathReference();

    /// <summary>The test project's NuGet packages and their runtime assemblies, read from its deps.json.</summary>
    sealed class PackageGraph
    {
        readonly Dictionary<string, (string Version, List<string> Dependencies, List<string> Assemblies)> _packages = new(StringComparer.OrdinalIgnoreCase);
        readonly string _bin;

        PackageGraph(string bin) => _bin = bin;

        public static PackageGraph Load(string bin)
        {
            var depsFile = Directory.GetFiles(bin, "*.Tests.deps.json").Single();
            using var json = JsonDocument.Parse(File.ReadAllText(depsFile));
            var graph = new PackageGraph(bin);
            var libraries = json.RootElement.GetProperty("libraries");
            foreach (var target in json.RootElement.GetProperty("targets").EnumerateObject().First().Value.EnumerateObject())
            {
                if (!libraries.TryGetProperty(target.Name, out var lib) || lib.GetProperty("type").GetString() != "package") continue;
                var (id, version) = (target.Name.Split('/')[0], target.Name.Split('/')[1]);
                var deps = target.Value.TryGetProperty("dependencies", out var d) ? d.EnumerateObject().Select(p => p.Name).ToList() : [];
                var assemblies = target.Value.TryGetProperty("runtime", out var r) ? r.EnumerateObject().Select(p => Path.GetFileName(p.Name)).ToList() : [];
                graph._packages[id] = (version, deps, assemblies);
            }
            return graph;
        }

        /// <summary>Paths of the package's runtime assemblies and of its dependencies', as copied next to the tests.</summary>
        public IEnumerable<string> Resolve(string id, string? version)
        {
            if (!_packages.TryGetValue(id, out var package))
                throw new InvalidOperationException($"#r \"nuget: {id}\": the test project does not reference {id}; add a PackageReference to tests/IcdResearch.Tests.");
            if (version is not null && !version.Contains('*') && package.Version != version)
                throw new InvalidOperationException($"#r \"nuget: {id}, {version}\": the test project references {id} {package.Version}; use that version in the notebook.");
            var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            var stack = new Stack<string>([id]);
            while (stack.TryPop(out var next))
            {
                if (!seen.Add(next) || !_packages.TryGetValue(next, out var p)) continue;
                foreach (var dll in p.Assemblies)
                {
                    var path = Path.Combine(_bin, dll);
                    if (File.Exists(path)) yield return path;
                }
                foreach (var dep in p.Dependencies) stack.Push(dep);
            }
        }
    }
}
