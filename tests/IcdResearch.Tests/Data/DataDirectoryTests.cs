using IcdResearch.Data;

namespace IcdResearch.Tests;

public class DataDirectoryTests : IDisposable
{
    readonly string _root = Path.Combine(Path.GetTempPath(), $"icd-datadir-{Guid.NewGuid():N}");
    public void Dispose() { if (Directory.Exists(_root)) Directory.Delete(_root, true); }

    /// <summary>repo/IcdResearch.sln, repo/notebooks/, and the data beside the repository at shared/data.</summary>
    (string Repo, string Data) Layout()
    {
        var repo = Path.Combine(_root, "work", "main");
        Directory.CreateDirectory(Path.Combine(repo, "notebooks"));
        File.WriteAllText(Path.Combine(repo, "IcdResearch.sln"), "");
        var data = Path.Combine(_root, "work", "shared", "data");
        Directory.CreateDirectory(Path.Combine(data, "ccl25"));
        File.WriteAllText(Path.Combine(data, "ccl25", "train-raw.json"), "[]");
        return (repo, data);
    }

    [Fact]
    public void ARelativeEnvironmentPathIsReadFromTheRepositoryRootWhenTheWorkingFolderIsASubfolder()
    {
        var (repo, data) = Layout();
        Assert.Equal(data, DataDirectory.Resolve(null, "../shared/data", repo));                          // at the root
        Assert.Equal(data, DataDirectory.Resolve(null, "../shared/data", Path.Combine(repo, "notebooks"))); // in a subfolder
    }

    [Fact]
    public void CommandLineWinsAndUnresolvablePathsStayAsGiven()
    {
        var (repo, data) = Layout();
        var notebooks = Path.Combine(repo, "notebooks");
        Assert.Equal(Path.Combine(notebooks, "elsewhere"), DataDirectory.Resolve("elsewhere", "../shared/data", notebooks));
        Assert.Equal(Path.GetFullPath("../nowhere", notebooks), DataDirectory.Resolve(null, "../nowhere", notebooks)); // no data anywhere: as given
        Assert.Equal(Path.Combine(notebooks, "data"), DataDirectory.Resolve(null, null, notebooks));
        Assert.Equal(data, DataDirectory.Resolve(null, data, _root));                                       // absolute: as given
    }
}
