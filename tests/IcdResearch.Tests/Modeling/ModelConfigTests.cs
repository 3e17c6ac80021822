using IcdResearch.Modeling;

namespace IcdResearch.Tests;

public class ModelConfigTests
{
    static ModelConfig Parse(string json)
    {
        var path = Path.Combine(Path.GetTempPath(), $"icd-config-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, json);
        try { return ModelConfig.Load(path); }
        finally { File.Delete(path); }
    }

    const string Base = "\"model_type\":\"llama\",\"vocab_size\":10,\"hidden_size\":8,\"intermediate_size\":16,\"num_hidden_layers\":1,\"num_attention_heads\":2";

    [Fact]
    public void ReadsHfKeysAndDerivedDefaults()
    {
        var c = Parse("{" + Base + ",\"num_key_value_heads\":1,\"rope_theta\":500000.0,\"eos_token_id\":[7,8],\"rope_scaling\":null,\"torch_dtype\":\"bfloat16\"}");
        Assert.Equal(4, c.HeadDim);
        Assert.Equal(1, c.KeyValueHeads);
        Assert.Equal(500000.0, c.RopeTheta);
        Assert.Equal([7, 8], c.EosTokenIds);
        Assert.False(c.QkvBias);

        var v5 = Parse("{" + Base + ",\"head_dim\":6,\"rope_parameters\":{\"rope_type\":\"default\",\"rope_theta\":1000.0},\"dtype\":\"float32\"}");
        Assert.Equal(6, v5.HeadDim);
        Assert.Equal(1000.0, v5.RopeTheta);
        Assert.Null(v5.EffectiveRopeScaling);
    }

    [Theory]
    [InlineData(",\"rope_scaling\":{\"rope_type\":\"yarn\",\"factor\":4.0}", "rope_scaling type 'yarn' is not supported")]
    [InlineData(",\"hidden_act\":\"gelu\"", "hidden_act 'gelu'")]
    [InlineData(",\"use_sliding_window\":true,\"sliding_window\":16", "use_sliding_window=true")]
    [InlineData(",\"num_key_value_heads\":3", "multiple of num_key_value_heads")]
    [InlineData(",\"rope_scaling\":{\"rope_type\":\"llama3\",\"factor\":8.0}", "rope_scaling type 'llama3' is missing")]
    public void RejectsUnsupportedSettings(string extra, string message)
    {
        var e = Assert.Throws<InvalidDataException>(() => Parse("{" + Base + extra + "}"));
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void RejectsUnknownModelTypes()
    {
        var e = Assert.Throws<InvalidDataException>(() => Parse("{" + Base.Replace("llama", "mistral") + "}"));
        Assert.Contains("model_type 'mistral'", e.Message);
    }
}
