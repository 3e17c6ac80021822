using IcdResearch.Inference;
using IcdResearch.Inference.Constraints;
using IcdResearch.Modeling;
using static TorchSharp.torch;
using Generator = IcdResearch.Inference.Generator;

namespace IcdResearch.Tests;

[Collection(EnvironmentCollection.Name)]
public class DecodeThreadsTests
{
    [Fact]
    public void APositiveOverrideWinsAnythingElseKeepsTheCurrentSetting()
    {
        Assert.Equal(3, DecodeThreads.For(configured: "3", available: 2));
        foreach (var ignored in new string?[] { null, "", "0", "-1", "all" }) Assert.Equal(2, DecodeThreads.For(ignored, available: 2));
    }

    [Fact]
    public void DecodeStepsRunOnTheConfiguredThreadsAndTheCallersCountIsRestored()
    {
        TorchRuntime.EnsureLoaded();
        var saved = get_num_threads();
        var setting = Environment.GetEnvironmentVariable("ICD_DECODE_THREADS");
        try
        {
            set_num_threads(2);
            using (DecodeThreads.Enter(3))
            {
                Assert.Equal((1, Math.Min(3, Environment.ProcessorCount)), (get_num_threads(), DecodeWorkers.Ways));
                using (DecodeThreads.Enter(1)) { }                      // nested: restores what it found
                Assert.Equal((1, Math.Min(3, Environment.ProcessorCount)), (get_num_threads(), DecodeWorkers.Ways));
            }
            Assert.Equal((2, 1), (get_num_threads(), DecodeWorkers.Ways));

            var tok = new TestCharTokenizer();
            var model = new CausalLM(ModelConfig.Tiny("qwen2", vocabSize: tok.VocabSize), seed: 3);
            foreach (var (configured, expected) in new[] { ("1", 1), (null, Math.Min(2, Environment.ProcessorCount)) })
            {
                Environment.SetEnvironmentVariable("ICD_DECODE_THREADS", configured);
                var observer = new ThreadCountObserver(tok.VocabSize);   // asked for the allowed tokens before every choice, on the generating thread
                var generated = new Generator(model, tok).Generate(["fever and cough"],
                    new GenerationOptions { MaxNewTokens = 6, StopIds = [], Constraints = [observer] }).Single();
                Assert.Equal(6, generated.Tokens.Count);
                Assert.Equal(Enumerable.Repeat((1, expected), 6), observer.Counts);   // libtorch on the caller alone, the projections on n threads
                Assert.Equal((2, 1), (get_num_threads(), DecodeWorkers.Ways));      // the caller's settings are back
            }
        }
        finally
        {
            set_num_threads(saved);
            Environment.SetEnvironmentVariable("ICD_DECODE_THREADS", setting);
        }
    }

    /// <summary>Allows every token and records libtorch's thread count and the decode workers' ways each time the generator asks.</summary>
    sealed class ThreadCountObserver(int vocabSize) : IDecodingConstraint
    {
        readonly int[] _all = Enumerable.Range(0, vocabSize).ToArray();
        public List<(int Torch, int Ways)> Counts { get; } = [];
        public int Start => 0;
        public IReadOnlyList<int> AllowedTokens(int state)
        {
            Counts.Add((get_num_threads(), DecodeWorkers.Ways));
            return _all;
        }
        public bool CanStop(int state) => true;
        public int Advance(int state, int token) => 0;
    }
}
