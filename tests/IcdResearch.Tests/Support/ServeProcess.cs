using System.Diagnostics;
using System.Text;

namespace IcdResearch.Tests;

/// <summary>
/// `icd serve ARGS --port 0` as a real process on 127.0.0.1 at a free port (`dotnet exec icd.dll` from this test's
/// output folder: the CLI is a project reference, so icd.dll is here), one libtorch thread; killed on dispose.
/// </summary>
public sealed class ServeProcess : IDisposable
{
    readonly Process _server;

    /// <summary>The server's base URL, http://127.0.0.1:PORT/v1.</summary>
    public Uri Endpoint { get; }

    public ServeProcess(params string[] args)
    {
        var icd = Path.Combine(AppContext.BaseDirectory, "icd.dll");
        var start = new ProcessStartInfo("dotnet", ["exec", icd, "serve", .. args, "--port", "0"])
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        start.Environment["ICD_THREADS"] = "1";
        _server = Process.Start(start) ?? throw new InvalidOperationException("could not start icd serve");
        var errors = new StringBuilder();
        _server.ErrorDataReceived += (_, e) => { lock (errors) errors.AppendLine(e.Data); };
        _server.BeginErrorReadLine();
        var line = Task.Run(() => _server.StandardOutput.ReadLine());
        if (!line.Wait(TimeSpan.FromMinutes(2)) || line.Result is not { } listening || !listening.StartsWith("listening on ", StringComparison.Ordinal))
        {
            Dispose();
            throw new InvalidOperationException($"icd serve did not start: {line.Status} {errors}");
        }
        Endpoint = new Uri(listening.Split(' ')[2]);
        Assert.Equal("127.0.0.1", Endpoint.Host);
    }

    public void Dispose()
    {
        try { if (!_server.HasExited) _server.Kill(entireProcessTree: true); _server.WaitForExit(10_000); }
        finally { _server.Dispose(); }
    }
}
