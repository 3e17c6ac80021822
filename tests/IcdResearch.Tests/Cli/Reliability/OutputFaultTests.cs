using IcdResearch.Data;
using IcdResearch.IO;

namespace IcdResearch.Tests.Reliability;

/// <summary>
/// Issue 12, class "output faults": output paths are checked before any work starts (a folder where a file is written,
/// a parent that is a file, a read-only folder), and a failure while writing leaves the old file or folder — or nothing
/// — and no temporary file. Errors are one located line, the stack trace only with --verbose.
/// </summary>
[Collection(ConsoleCollection.Name)]
public class OutputFaultTests : IDisposable
{
    readonly string _dir = TempFile.Dir();
    public void Dispose() { if (Directory.Exists(_dir)) Directory.Delete(_dir, true); }

    string Input()
    {
        var path = Path.Combine(_dir, "records.json");
        File.WriteAllText(path, """[{"病案标识": "A1", "主诉": "胸痛2天", "入院诊断": "冠心病"}]""");
        return path;
    }

    [Fact]
    public void PredictWithAFolderAsOutFailsBeforeLoadingAnything()
    {
        var input = Input();
        var outDir = Directory.CreateDirectory(Path.Combine(_dir, "out")).FullName;
        var before = FolderState.Of(_dir);
        // The models folder does not exist either: the --out error coming first shows the check runs before any work.
        Cli.Run("predict", "--models", Path.Combine(_dir, "no-models"), "--input", input, "--out", outDir)
            .Fails(2, $"--out {outDir}", "is a folder");
        before.AssertSame(_dir);
    }

    [Fact]
    public void SyntheticResultsAreNotWrittenIntoAFolderOfRealDataResults()
    {
        // The README's smoke run pointed at the committed results/ merged synthetic System A rows with the real CCL rows
        // into one summary.json and headline table; now the run is refused before any work, the folder named.
        var data = Path.Combine(_dir, "data");
        SyntheticSample.Write(data);
        var results = Directory.CreateDirectory(Path.Combine(_dir, "results")).FullName;
        File.WriteAllText(Path.Combine(results, "summary.json"), """{"data": {"source": "/data/ccl25-real", "synthetic": false}, "ccl": {"files": ["ccl_ablation.csv"]}}""");
        File.WriteAllText(Path.Combine(results, "ccl_ablation.csv"), "experiment,arm,split,n,metric,value,ci_low,ci_high,p_value,note\n");
        var before = FolderState.Of(_dir);
        Cli.Run("reproduce", "--profile", "smoke", "--experiment", "baselines", "--data", data, "--out", results, "--models", Path.Combine(_dir, "models"))
            .Fails(2, results, "results of real data", "/data/ccl25-real", "this run uses the SYNTHETIC sample", "--out runs/smoke");
        before.AssertSame(_dir);
    }

    [Fact]
    public void AnOutputWhoseParentIsAFileFailsUpFront()
    {
        var file = Path.Combine(_dir, "file.txt");
        File.WriteAllText(file, "not a folder");
        var before = FolderState.Of(_dir);
        Cli.Run("split", "--out", Path.Combine(file, "sub", "split.json")).Fails(2, "--out", $"its parent {file} is a file");
        Cli.Run("reproduce", "--profile", "smoke", "--out", Path.Combine(file, "results")).Fails(2, "--out", "is a file");
        Cli.Run("export-sft", "--out", file).Fails(2, $"--out {file}", "is a file, but a folder is written here");
        before.AssertSame(_dir);
    }

    [Fact]
    public void AResultsOptionThatIsAFolderFailsUpFrontEvenAsADefault()
    {
        var results = Directory.CreateDirectory(Path.Combine(_dir, "results.csv")).FullName;
        var before = FolderState.Of(_dir);
        Cli.Run("baseline", "--method", "all", "--results", results).Fails(2, $"--results {results}", "is a folder");
        before.AssertSame(_dir);
    }

    [RequiresTmpfsFact]
    public void AReadOnlyFolderIsReportedBeforeAnyWork()
    {
        var readOnly = Directory.CreateDirectory(Path.Combine(_dir, "read-only")).FullName;
        var input = Input();
        Tmpfs.Mount(readOnly, "16k", readOnly: true);   // refuses new files even for root
        try
        {
            Cli.Run("predict", "--models", Path.Combine(_dir, "no-models"), "--input", input, "--out", Path.Combine(readOnly, "pred.json"))
                .Fails(2, "--out", $"the folder {readOnly} is not writable");
            Assert.Empty(Directory.GetFileSystemEntries(readOnly));
        }
        finally { Tmpfs.Unmount(readOnly); }
    }

    [Fact]
    public void AFailureWhileWritingKeepsTheOldFileAndLeavesNoTemporaryFile()
    {
        var path = Path.Combine(_dir, "pred.json");
        File.WriteAllText(path, "old");
        var e = Assert.Throws<IOException>(() => AtomicFile.Write(path, stream =>
        {
            stream.Write(new byte[4096]);
            throw new IOException("No space left on device");   // what a full disk raises mid-write
        }));
        Assert.Contains(path, e.Message);
        Assert.Equal("old", File.ReadAllText(path));
        Assert.Equal(["pred.json"], Directory.GetFiles(_dir).Select(Path.GetFileName));
    }

    [Fact]
    public void AFailureWhileWritingAFolderKeepsTheOldFolderWhole()
    {
        var checkpoint = Path.Combine(_dir, "step-000002");
        Directory.CreateDirectory(checkpoint);
        File.WriteAllText(Path.Combine(checkpoint, "state.json"), "{\"Step\":2}");
        var before = FolderState.Of(_dir);
        Assert.Throws<IOException>(() => AtomicFile.WriteDirectory(checkpoint, temp =>
        {
            File.WriteAllText(Path.Combine(temp, "weights.safetensors"), "partial");
            throw new IOException("No space left on device");
        }));
        before.AssertSame(_dir);
        Assert.Equal(["step-000002"], Directory.GetDirectories(_dir).Select(Path.GetFileName));
    }

    [RequiresTmpfsFact]
    public void AFullDiskFailsWithExitCodeThreeAndLeavesTheOldOutput()
    {
        var mount = Directory.CreateDirectory(Path.Combine(_dir, "small-disk")).FullName;
        Tmpfs.Mount(mount, "16k");
        try
        {
            var split = Path.Combine(mount, "split.json");
            File.WriteAllText(split, "old split");
            var filler = Path.Combine(mount, "filler");
            try { using var f = File.Create(filler); f.Write(new byte[1 << 20]); } catch (IOException) { }   // fill the disk
            var before = FolderState.Of(mount);
            var synthetic = Path.Combine(_dir, "synthetic");
            SyntheticSample.Write(synthetic);
            Cli.Run("split", "--data", synthetic, "--out", split).Fails(3, $"cannot write {split}");
            before.AssertSame(mount);   // the old split, the filler, and no temporary file
        }
        finally { Tmpfs.Unmount(mount); }
    }

    [Fact]
    public void AFaultOfTheProgramIsSaidSoWithExitCodeOneAndNoTraceUnlessVerbose()
    {
        Exception fault;
        try { throw new NullReferenceException("Object reference not set to an instance of an object."); }
        catch (Exception e) { fault = e; }
        var quiet = new StringWriter();
        Assert.Equal(1, IcdResearch.Cli.ErrorReport.Write(new AggregateException(fault), quiet, verbose: false));
        Assert.StartsWith("error: internal error (NullReferenceException): Object reference", quiet.ToString());
        Assert.DoesNotContain("   at ", quiet.ToString());
        Assert.Contains("--verbose", quiet.ToString());
        var verbose = new StringWriter();
        Assert.Equal(1, IcdResearch.Cli.ErrorReport.Write(fault, verbose, verbose: true));
        Assert.Contains("   at IcdResearch.Tests.Reliability.OutputFaultTests", verbose.ToString());
    }

    [Fact]
    public void TheStackTraceIsPrintedOnlyWithVerbose()
    {
        var missing = Path.Combine(_dir, "missing-gold.json");
        var pred = Path.Combine(_dir, "pred.json");
        File.WriteAllText(pred, "[]");
        Cli.Run("evaluate", "--gold", missing, "--pred", pred, "--codes", "none").Fails(2, missing);
        var verbose = Cli.Run("evaluate", "--gold", missing, "--pred", pred, "--codes", "none", "--verbose");
        Assert.Equal(2, verbose.Code);
        Assert.Contains("   at IcdResearch.", verbose.Err);
    }
}
