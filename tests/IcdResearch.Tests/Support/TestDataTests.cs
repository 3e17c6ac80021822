using IcdResearch.Data;

namespace IcdResearch.Tests;

public class TestDataTests
{
    [RequiresDataFact]
    public void ARelativeDataPathIsFoundFromAnyWorkingFolder()
    {
        // CI sets ICD_DATA_DIR=../shared/data, relative to the repository; the test host runs in bin/…/net10.0 (or in
        // /tmp/icd-build/<slot>), where that relative path points nowhere. The resolved folder must still be the one the
        // library's own resolver finds from the repository root, and it must load as the CCL25 dataset.
        var dir = TestData.RequireDir();
        Assert.True(Path.IsPathRooted(dir));
        var repo = DataDirectory.RepositoryRoot(AppContext.BaseDirectory) ?? DataDirectory.RepositoryRoot(Directory.GetCurrentDirectory());
        if (repo is not null && Directory.Exists(Path.Combine(repo, "..", "shared", "data")))
            Assert.Equal(Path.GetFullPath(Path.Combine(repo, "..", "shared", "data")), dir);
        var data = Ccl25Dataset.LoadFolder(dir);
        Assert.False(data.IsSynthetic);
        Assert.NotEmpty(data.TrainRaw);
    }

    [Fact]
    public void SkipReasonTellsHowToEnableTheTest()
    {
        var attribute = new RequiresDataFactAttribute();
        if (TestData.Available) Assert.Null(attribute.Skip);
        else Assert.Contains("ICD_DATA_DIR", attribute.Skip);
    }
}
