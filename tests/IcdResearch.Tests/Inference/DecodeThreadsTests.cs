using IcdResearch.Inference;
using IcdResearch.Modeling;
using static TorchSharp.torch;
using Generator = IcdResearch.Inference.Generator;

namespace IcdResearch.Tests;

public class DecodeThreadsTests
{
    [Fact]
    public void CacheResidentModelsDecodeOnOneThreadLargerOnesOnAllAndAPositiveOverrideWins()
    {
        const long small = 14L << 20, large = 2L << 30;   // the default backbone's 14 MB; a 0.5B model in fp32
        Assert.Equal(1, DecodeThreads.For(small, configured: null, available: 8));
        Assert.Equal(8, DecodeThreads.For(large, configured: null, available: 8));
        Assert.Equal(3, DecodeThreads.For(small, configured: "3", available: 8));
        Assert.Equal(2, DecodeThreads.For(large, configured: "2", available: 8));
        foreach (var ignored in new[] { "", "0", "-1", "all" }) Assert.Equal(1, DecodeThreads.For(small, ignored, available: 8));
    }

    [Fact]
    public void GeneratingSwitchesOnlyForTheDecodeStepsAndRestoresTheCallersThreadCount()
    {
        TorchRuntime.EnsureLoaded();
        var saved = get_num_threads();
        try
        {
            set_num_threads(2);
            using (DecodeThreads.Enter(1))
            {
                Assert.Equal(1, get_num_threads());
                using (DecodeThreads.Enter(1)) { }                      // nested: restores the 1 it found
                Assert.Equal(1, get_num_threads());
            }
            Assert.Equal(2, get_num_threads());

            var tok = new TestCharTokenizer();
            var model = new CausalLM(ModelConfig.Tiny("qwen2", vocabSize: tok.VocabSize), seed: 3);
            Assert.True(model.WeightBytes < DecodeThreads.SingleThreadWeightBytes);
            var generated = new Generator(model, tok).Generate(["fever and cough"], new GenerationOptions { MaxNewTokens = 6, StopIds = [] }).Single();
            Assert.Equal(6, generated.Tokens.Count);
            Assert.Equal(2, get_num_threads());                          // the generation ran its steps on 1 thread and gave back 2
        }
        finally { set_num_threads(saved); }
    }
}
