using IcdResearch.Modeling;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace IcdResearch.Tuning;

/// <summary>What a pretraining run achieved; held-out loss is mean next-token cross-entropy (nats per token).</summary>
public sealed record PretrainResult(
    int Steps, int StartStep, double TrainLoss, double HeldOutLoss, double Seconds, double TokensPerSecond,
    IReadOnlyList<LossPoint> Curve)
{
    public double HeldOutPerplexity => Math.Exp(HeldOutLoss);
}

/// <summary>Train loss (last batch) and held-out loss after optimizer step <see cref="Step"/>.</summary>
public sealed record LossPoint(int Step, double TrainLoss, double HeldOutLoss);

/// <summary>
/// Pretraining loop for a causal LM from scratch, after nanoGPT's train.py: random windows of the token stream, AdamW
/// (weight decay on matrices only), linear warm-up + cosine decay, global gradient clipping, periodic held-out loss,
/// resumable checkpoints (weights, AdamW moments, step) and a progress bar with loss and tokens/s.
/// Batches depend only on (seed, step), so an interrupted run resumed from its checkpoint reproduces the uninterrupted one.
/// </summary>
public static class Pretrainer
{
    /// <summary>Settings that only say when to stop, save or evaluate: they may change between a run and its resumption.</summary>
    static readonly string[] ScheduleOnly = ["Train.MaxSteps", "Train.SaveEverySteps", nameof(PretrainOptions.EvalEvery), nameof(PretrainOptions.EvalBatches)];

    /// <summary>The fingerprint a pretraining run's checkpoints are checked against: settings, token streams, architecture.</summary>
    public static RunFingerprint Fingerprint(CausalLM model, TokenStream train, TokenStream heldOut, PretrainOptions o) =>
        RunFingerprint.Create(o, RunFingerprint.HashTokens([train.Tokens, heldOut.Tokens]),
            System.Text.Json.JsonSerializer.Serialize(model.Config), ScheduleOnly);

    public static PretrainResult Train(CausalLM model, TokenStream train, TokenStream heldOut, PretrainOptions o,
        string checkpointDir, TextWriter? plainOutput = null)
    {
        o.Validate();
        var named = model.named_parameters().ToList();
        var matrices = named.Where(p => p.parameter.dim() >= 2).Select(p => p.parameter).ToList();
        var vectors = named.Where(p => p.parameter.dim() < 2).Select(p => p.parameter).ToList();
        var optimizer = optim.AdamW(
            [new AdamW.ParamGroup(matrices, o.Train.LearningRate, o.Train.Beta1, o.Train.Beta2, o.Train.Epsilon, o.Train.WeightDecay, false, false),
             new AdamW.ParamGroup(vectors, o.Train.LearningRate, o.Train.Beta1, o.Train.Beta2, o.Train.Epsilon, 0.0, false, false)],
            o.Train.LearningRate, o.Train.Beta1, o.Train.Beta2);
        var schedule = new LearningRateSchedule(o.Train.LearningRate, o.Train.WarmupSteps ?? 0, o.Steps, LearningRateDecay.Cosine, o.Train.MinLearningRateRatio);
        // Two checkpoints are kept so that a torn latest one falls back to the previous.
        var checkpoints = new TrainingCheckpoint(checkpointDir, keepLast: 2, trainableOnly: false, Fingerprint(model, train, heldOut, o));
        var start = checkpoints.TryResume(model, optimizer)?.Step ?? 0;
        var curve = new List<LossPoint>();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        double trainLoss = double.NaN, heldOutLoss = double.NaN;
        long tokens = 0;
        var end = Math.Min(o.Steps, o.Train.MaxSteps ?? o.Steps);

        TrainingProgress.Run("pretrain", o.Steps, progress =>
        {
            model.train();
            for (var step = start; step < end; step++)
            {
                var lr = schedule.Apply(optimizer, step);
                using (var scope = NewDisposeScope())
                {
                    var (x, y) = train.RandomBatch(o.Train.BatchSize, o.Context, o.Train.Seed, step);
                    var logits = model.Forward(x);
                    var loss = nn.functional.cross_entropy(logits.view(-1, logits.shape[^1]), y.view(-1));
                    optimizer.zero_grad();
                    loss.backward();
                    if (o.Train.MaxGradNorm > 0) nn.utils.clip_grad_norm_(model.parameters(), o.Train.MaxGradNorm);
                    optimizer.step();
                    trainLoss = loss.item<float>();
                }
                tokens += (long)o.Train.BatchSize * o.Context;
                progress.Report(step + 1, trainLoss, lr, (long)o.Train.BatchSize * o.Context);
                if ((step + 1) % o.EvalEvery == 0 || step + 1 == o.Steps)
                {
                    heldOutLoss = HeldOutLoss(model, heldOut, o.Train.BatchSize, o.Context, o.EvalBatches);
                    curve.Add(new LossPoint(step + 1, trainLoss, heldOutLoss));
                    progress.Log($"step {step + 1}: train loss {trainLoss:F4}, held-out loss {heldOutLoss:F4} (perplexity {Math.Exp(heldOutLoss):F2})");
                    model.train();
                }
                if ((step + 1) % o.Train.SaveEverySteps == 0 || step + 1 == end)
                    checkpoints.Save(model, optimizer, new TrainingState { Step = step + 1, Seed = o.Train.Seed });
            }
            return 0;
        }, startStep: start, plainOutput: plainOutput);

        model.eval();
        if (double.IsNaN(heldOutLoss)) heldOutLoss = HeldOutLoss(model, heldOut, o.Train.BatchSize, o.Context, o.EvalBatches);
        var seconds = clock.Elapsed.TotalSeconds;
        return new PretrainResult(end, start, trainLoss, heldOutLoss, seconds, tokens / Math.Max(seconds, 1e-9), curve);
    }

    /// <summary>Mean next-token cross-entropy over non-overlapping windows of <paramref name="stream"/> (at most <paramref name="maxBatches"/> batches).</summary>
    public static double HeldOutLoss(CausalLM model, TokenStream stream, int batchSize, int context, int maxBatches)
    {
        model.eval();
        using var _ = no_grad();
        double sum = 0;
        long count = 0;
        // A held-out stream shorter than one window is evaluated as one shorter window.
        var window = Math.Min(context, stream.Length - 1);
        foreach (var (x, y) in stream.SequentialBatches(batchSize, window, maxBatches))
        {
            using var scope = NewDisposeScope();
            var logits = model.Forward(x);
            using var loss = nn.functional.cross_entropy(logits.view(-1, logits.shape[^1]), y.view(-1), reduction: nn.Reduction.Sum);
            sum += loss.item<float>();
            count += y.numel();
            x.Dispose(); y.Dispose();
        }
        return count == 0 ? double.NaN : sum / count;
    }
}
