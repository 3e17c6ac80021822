using System.Diagnostics;
using IcdResearch.Modeling;
using IcdResearch.Tuning;
using static TorchSharp.torch;

namespace IcdResearch.Inference;

/// <summary>
/// `icd bench` section "decode_steps": milliseconds of one fused decode step (<see cref="FusedDecoder.Step"/>) after a
/// prompt of up to 512 tokens — for one row, for 8 rows continuing one prompt (the voting rounds: shared-prefix
/// attention reads the prompt once) and for 8 rows with prompts of their own (each row's prompt read separately). When
/// the shared batch costs as much as the one with 8 prompts, the prompt's keys and values are not what bounds it; the
/// ratio of the shared batch to one row bounds the 8-way sampling speed-up (paper-repro.md §2). Null for models the
/// fused decoder does not support.
/// </summary>
public sealed class DecodeStepsBenchmarkSection : IBenchmarkSection
{
    public const int MaxPromptTokens = 512, Rows = 8, Steps = 32, Repeats = 3;

    public string Name => "decode_steps";

    public object? Measure(CausalLM model)
    {
        model.eval();
        using var mode = inference_mode();
        var fused = model.Fused();
        var promptTokens = Math.Min(MaxPromptTokens, model.Config.MaxPositionEmbeddings - Steps - 1);
        if (fused is null || promptTokens < 1) return null;
        var random = new Random(0);
        var vocab = model.Config.VocabSize;
        long[] Prompt() => Enumerable.Range(0, promptTokens).Select(_ => (long)random.Next(0, vocab)).ToArray();
        double StepMilliseconds(int rows, bool sharePrompt)
        {
            var best = double.MaxValue;
            for (var repeat = 0; repeat <= Repeats; repeat++)   // repeat 0 warms up
            {
                var prompts = sharePrompt ? [Prompt()] : Enumerable.Range(0, rows).Select(_ => Prompt()).ToArray();
                using var cache = fused.NewCache(Steps);
                using (var ids = tensor(prompts.SelectMany(p => p).ToArray(), [prompts.Length, promptTokens]))
                    fused.Prefill(ids, null, cache).Dispose();
                if (prompts.Length < rows) cache.SelectRows(new long[rows]);   // every row continues prompt 0
                using var next = tensor(Enumerable.Range(0, rows).Select(i => (long)(i % vocab)).ToArray());
                var clock = Stopwatch.StartNew();
                for (var step = 0; step < Steps; step++) fused.Step(next, cache).Dispose();
                if (repeat > 0) best = Math.Min(best, clock.Elapsed.TotalMilliseconds / Steps);
            }
            return Math.Round(best, 3);
        }
        using var threads = DecodeThreads.Enter(DecodeThreads.For());
        var one = StepMilliseconds(1, sharePrompt: false);
        var shared = StepMilliseconds(Rows, sharePrompt: true);
        var own = StepMilliseconds(Rows, sharePrompt: false);
        return new
        {
            prompt_tokens = promptTokens,
            rows = Rows,
            one_row_ms = one,
            shared_prompt_ms = shared,
            own_prompts_ms = own,
            shared_prompt_vs_one_row = Math.Round(shared / one, 2),
        };
    }
}
