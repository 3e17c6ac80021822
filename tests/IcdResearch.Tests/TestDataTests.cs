using IcdResearch.Data;

namespace IcdResearch.Tests;

public class TestDataTests
{
    [RequiresDataFact]
    public void ResolvedFolderHoldsTheRawTrainingFile()
    {
        Assert.True(File.Exists(TestData.Path("ccl25", "train-raw.json")));
        Assert.True(DataDirectory.HasCcl25(TestData.RequireDir()));
    }

    [Fact]
    public void SkipReasonTellsHowToEnableTheTest()
    {
        var attribute = new RequiresDataFactAttribute();
        if (TestData.Available) Assert.Null(attribute.Skip);
        else Assert.Contains("ICD_DATA_DIR", attribute.Skip);
    }
}
