using IcdResearch.Data;

namespace IcdResearch.Tests;

public class CodeTableTests
{
    [Theory]
    [InlineData("I20.800x007", "I20", "I20.8", "I20.800")]
    [InlineData("I10.x00x032", "I10", "I10.x", "I10.x00")]
    [InlineData("I48.x01", "I48", "I48.x", "I48.x01")]
    [InlineData("E11.900", "E11", "E11.9", "E11.900")]
    public void HierarchyIsReadOffTheCode(string code, string category, string subcategory, string baseCode)
    {
        Assert.Equal(category, CodeTable.Category(code));
        Assert.Equal(subcategory, CodeTable.Subcategory(code));
        Assert.Equal(baseCode, CodeTable.BaseCode(code));
        Assert.DoesNotContain(code, CodeTable.Ancestors(code));
        Assert.Equal(category, CodeTable.Ancestors(code)[^1]);
    }

    [Fact]
    public void LoadsTsvBothDirectionsAndCategories()
    {
        var path = TempFile.Write("疾病编码\t疾病名称\nI20.000\t不稳定型心绞痛\nI20.800x007\t微血管性心绞痛\nI21.401\t急性非ST段抬高型心肌梗死\nI20.001\t不稳定型心绞痛\n");
        var table = CodeTable.Load(path);
        Assert.Equal(4, table.Count);
        Assert.Equal("微血管性心绞痛", table.NameOf("I20.800x007"));
        Assert.Equal(["I20.000", "I20.001"], table.CodesOf("不稳定型心绞痛"));
        Assert.Equal("I20.000", table.CodeOf("不稳定型心绞痛"));
        Assert.Null(table.CodeOf("无此病"));
        Assert.Equal(["I20.000", "I20.800x007", "I20.001"], table.InCategory("I20"));
        var e = Assert.Throws<KeyNotFoundException>(() => table.NameOf("Z99.999"));
        Assert.Contains("Z99.999", e.Message);
    }

    [Fact]
    public void BadRowsNameTheFileAndLine()
    {
        var path = TempFile.Write("疾病编码\t疾病名称\nI20.000\t不稳定型心绞痛\nI20.000\t重复\n");
        var e = Assert.Throws<DataFormatException>(() => CodeTable.Load(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("line 3", e.Message);
        Assert.Contains("duplicate", e.Message);
        var bad = TempFile.Write("code\tname\n");
        Assert.Contains("header", Assert.Throws<DataFormatException>(() => CodeTable.Load(bad)).Message);
    }

    [Fact]
    public void SaveThenLoadRoundTrips()
    {
        var table = SyntheticSample.CodeTable();
        var path = TempFile.Path(".tsv");
        table.Save(path);
        var back = CodeTable.Load(path);
        Assert.Equal(table.Codes, back.Codes);
        Assert.All(table.Codes, c => Assert.Equal(table.NameOf(c), back.NameOf(c)));
    }

    [RequiresDataFact]
    public void RealTableHasTheDocumentedSize()
    {
        var table = CodeTable.Load(TestData.Path("codes", "dccnce-2.0.tsv"));
        Assert.Equal(37294, table.Count);
        Assert.Equal("高血压病3级（极高危）", table.NameOf("I10.x00x032"));
    }
}
