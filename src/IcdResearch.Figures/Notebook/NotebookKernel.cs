using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Loader;

namespace IcdResearch.Figures.Notebook;

/// <summary>
/// The setup every notebook runs once, in its first cell, inside the .NET Interactive C# kernel (Polyglot Notebooks,
/// dotnet-repl). Two things:
/// <list type="number">
/// <item>FSharp.Core: the kernel has its own FSharp.Core (assembly version 10.0.0.0) loaded in the default load
/// context, while Plotly.NET 6.0.0 (through DynamicObj 8) is compiled against 10.1.0.0. A second copy cannot join the
/// default context, so the load fails and the runtime raises <see cref="AssemblyLoadContext.Resolving"/>; the handler
/// answers with the kernel's loaded copy (same public key, lower minor version), which carries every API Plotly.NET
/// uses. Outside such a host (the `icd` tool, the tests) the request never fails and the handler is never asked.</item>
/// <item>Display: charts (<see cref="Plotly.NET.GenericChart"/>) are formatted by <see cref="ChartDisplay"/> as a PNG
/// (headless Chromium) with a text fingerprint, so saved notebooks show them on the web and in VS Code without
/// running; DataFrames display as tables through Microsoft.Data.Analysis's own kernel extension
/// (`#r "nuget: Microsoft.Data.Analysis, …"` in the setup cell loads it).</item>
/// <item>TorchSharp's native library: the kernel has no deps.json for the `#r`'d build, so TorchSharp would not look in
/// its runtimes/RID/native folder (and would fall back to the unpatched copy in the NuGet cache, which Debian 12's
/// libstdc++ refuses). The build's own, patched libLibTorchSharp.so is loaded by path; its RUNPATH ($ORIGIN) brings
/// libtorch with it, and TorchSharp's later load by name finds it loaded.</item>
/// </list>
/// </summary>
public static class NotebookKernel
{
    static int _done;

    /// <summary>Installs the FSharp.Core unification and the chart formatter (idempotent). Call before any chart is built.</summary>
    public static void Setup()
    {
        if (Interlocked.Exchange(ref _done, 1) == 1) return;
        AssemblyLoadContext.Default.Resolving += UnifyFSharpCore;
        LoadTorchNatives();
        ChartDisplay.Register();
    }

    static void LoadTorchNatives()
    {
        var native = Path.Combine(Path.GetDirectoryName(typeof(NotebookKernel).Assembly.Location)!, "runtimes", RuntimeInformation.RuntimeIdentifier, "native");
        var library = Path.Combine(native, OperatingSystem.IsWindows() ? "LibTorchSharp.dll" : OperatingSystem.IsMacOS() ? "libLibTorchSharp.dylib" : "libLibTorchSharp.so");
        if (File.Exists(library)) NativeLibrary.Load(library);
    }

    /// <summary>A request for a higher FSharp.Core than the one loaded is answered with the loaded one.</summary>
    internal static Assembly? UnifyFSharpCore(AssemblyLoadContext context, AssemblyName requested)
    {
        if (requested.Name != "FSharp.Core") return null;
        var loaded = context.Assemblies.FirstOrDefault(a => a.GetName().Name == "FSharp.Core");
        return loaded is not null && SameMajorAndPublisher(loaded.GetName(), requested) ? loaded : null;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    static bool SameMajorAndPublisher(AssemblyName loaded, AssemblyName requested) =>
        loaded.Version?.Major == requested.Version?.Major
        && (requested.GetPublicKeyToken() is not { Length: > 0 } token || token.SequenceEqual(loaded.GetPublicKeyToken() ?? []));
}
