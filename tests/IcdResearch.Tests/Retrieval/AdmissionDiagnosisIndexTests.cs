using IcdResearch.Retrieval;

namespace IcdResearch.Tests;

public class AdmissionDiagnosisIndexTests
{
    static readonly (string, string, string)[] Db =
    [
        ("a", "1.不稳定型心绞痛 2.高血压病", "I20.000"),
        ("b", "1.急性非ST段抬高型心肌梗死", "I21.401"),
        ("c", "1.慢性心功能不全急性加重 2.心房颤动", "I50.900x018"),
    ];

    [Fact]
    public void TfidfFindsTheMostSimilarAdmissionDiagnosis()
    {
        var index = new AdmissionDiagnosisIndex(TfidfEmbedding.Fit(Db.Select(d => d.Item2)), Db);
        var hits = index.Nearest(["不稳定型心绞痛", "心功能不全伴心房颤动", "急性心肌梗死"]);
        Assert.Equal(["I20.000", "I50.900x018", "I21.401"], hits.Select(h => h.PrimaryCode));
        Assert.All(hits, h => Assert.InRange(h.Similarity, 0.0, 1.0 + 1e-6));
    }

    [Fact]
    public void LeaveOneOutExcludesTheQueryItself()
    {
        var index = new AdmissionDiagnosisIndex(new FakeModelBackend.CharCountEmbedder(), Db);
        var self = index.Nearest([Db[0].Item2]);
        Assert.Equal("a", self[0].Id);
        Assert.Equal(1.0, self[0].Similarity, 5);
        var loo = index.Nearest([Db[0].Item2], ["a"]);
        Assert.NotEqual("a", loo[0].Id);
        Assert.Throws<ArgumentException>(() => new AdmissionDiagnosisIndex(new FakeModelBackend.CharCountEmbedder(), []));
    }
}
