using System.Globalization;
using System.Text.Json;
using TorchSharp;
using static TorchSharp.torch;

namespace IcdResearch.Tuning;

/// <summary>Next-token logits [B, T, V] of a causal LM for input ids and attention mask [B, T].</summary>
public delegate Tensor LogitsFunction(Tensor inputIds, Tensor attentionMask);

/// <summary>Outcome of <see cref="SftTrainer.Train"/> (also written to out/sft-metrics.json).</summary>
public sealed record SftResult
{
    public int Steps { get; init; }
    public int TotalSteps { get; init; }
    public bool Completed { get; init; }
    public int? ResumedFromStep { get; init; }
    public double? DevLossBefore { get; init; }
    public IReadOnlyList<double> DevLossPerEpoch { get; init; } = [];
    public double? BestDevLoss { get; init; }
    public double LastTrainLoss { get; init; } = double.NaN;
    public long TrainableParameters { get; init; }
}

/// <summary>
/// Supervised fine-tuning loop in the spirit of nanoGPT's train.py: AdamW on the trainable parameters, warm-up + decay
/// (<see cref="LearningRateSchedule"/>), gradient accumulation with a token-weighted loss over the whole accumulation
/// window, global-norm clipping, a dev evaluation before training and after every epoch, the best epoch kept, and a
/// resumable checkpoint (weights, AdamW moments, RNG, position in the epoch) at the end of every epoch.
/// Data order is a seeded shuffle per epoch, so an interrupted run resumed from its checkpoint continues identically.
/// Folder layout under <c>outDir</c>: checkpoints/ (step-N, best, latest), best/ and final/ (written by
/// <c>saveModel</c>: a PEFT adapter or a full model folder), sft-metrics.json.
/// </summary>
/// <remarks><c>baseModel</c> is the identity of the base model (e.g. <see cref="TrainingFingerprint.ModelIdentity"/>), part of the run's fingerprint.</remarks>
public sealed class SftTrainer(nn.Module model, LogitsFunction logits, SftOptions options, string outDir,
    Action<string>? saveModel = null, TextWriter? plainOutput = null, string? baseModel = null)
{
    public SftOptions Options { get; } = options.Validate();

    /// <summary>Settings that only say when to stop, save or evaluate: they may change between a run and its resumption.</summary>
    static readonly string[] ScheduleOnly = ["Train.MaxSteps", "Train.SaveEverySteps", nameof(SftOptions.KeepCheckpoints)];

    /// <summary>What the checkpoints of this trainer are checked against on resume: settings, the encoded examples, the base model.</summary>
    public RunFingerprint Fingerprint(IReadOnlyList<SftSequence> train, IReadOnlyList<SftSequence>? dev) =>
        RunFingerprint.Create(Options, RunFingerprint.HashTokens(
            train.SelectMany(s => new[] { s.InputIds, s.Labels }).Append([-1]).Concat((dev ?? []).SelectMany(s => new[] { s.InputIds, s.Labels }))),
            baseModel, ScheduleOnly);

    public SftResult Train(IReadOnlyList<SftSequence> train, IReadOnlyList<SftSequence>? dev, int padId)
    {
        if (train.Count == 0) throw new ArgumentException("the training set is empty");
        Directory.CreateDirectory(outDir);
        var parameters = model.parameters().Where(p => p.requires_grad).ToList();
        if (parameters.Count == 0) throw new InvalidOperationException("the model has no trainable parameters");
        var trainable = parameters.Sum(p => p.NumberOfElements);

        torch.manual_seed(Options.Train.Seed);
        var optimizer = optim.AdamW(parameters, Options.Train.LearningRate, Options.Train.Beta1, Options.Train.Beta2, Options.Train.Epsilon, Options.Train.WeightDecay);
        var batchesPerEpoch = (train.Count + Options.Train.BatchSize - 1) / Options.Train.BatchSize;
        var stepsPerEpoch = (batchesPerEpoch + Options.GradientAccumulation - 1) / Options.GradientAccumulation;
        var totalSteps = stepsPerEpoch * Options.Epochs;
        var warmup = Options.Train.WarmupSteps ?? (int)Math.Round(Options.WarmupRatio * totalSteps);
        var schedule = new LearningRateSchedule(Options.Train.LearningRate, warmup, totalSteps, Options.Decay, Options.Train.MinLearningRateRatio);
        var checkpoints = new TrainingCheckpoint(Path.Combine(outDir, "checkpoints"), Options.KeepCheckpoints, fingerprint: Fingerprint(train, dev));

        var state = checkpoints.TryResume(model, optimizer);
        var resumedFrom = state?.Step;
        if (state is not null && state.Seed != Options.Train.Seed)
            throw new ArgumentException($"{outDir}: the checkpoint was trained with seed {state.Seed}, not {Options.Train.Seed}; use another --out or the same seed");
        var evaluate = dev is { Count: > 0 } && Options.EvaluateEachEpoch;
        if (state is null)
        {
            state = new TrainingState { Seed = Options.Train.Seed };
            if (evaluate) state.Extra["dev_loss_before"] = Format(Evaluate(dev!, padId));
        }

        var lastLoss = double.NaN;
        var completed = TrainingProgress.Run($"sft ({Options.Mode}, {trainable:N0} trainable parameters)", totalSteps, progress =>
        {
            if (resumedFrom is not null) progress.Log($"resumed from step {resumedFrom} (epoch {state.Epoch + 1}, micro-batch {state.BatchInEpoch})");
            if (state.Extra.TryGetValue("dev_loss_before", out var before)) progress.Log($"dev loss before training {before}");
            var step = state.Step;
            for (var epoch = state.Epoch; epoch < Options.Epochs; epoch++)
            {
                model.train();
                var batches = EpochBatches(train.Count, epoch);
                var first = epoch == state.Epoch ? state.BatchInEpoch : 0;
                for (var b = first; b < batches.Count; b += Options.GradientAccumulation)
                {
                    var window = batches.Skip(b).Take(Options.GradientAccumulation)
                        .Select(idx => new SftBatch(idx.Select(i => train[i]).ToList(), padId)).ToList();
                    var lr = schedule.Apply(optimizer, step);
                    var (loss, tokens) = Step(optimizer, parameters, window);
                    step++;
                    lastLoss = loss;
                    progress.Report(step, loss, lr, tokens);
                    var next = b + Options.GradientAccumulation;
                    state = state with { Step = step, Epoch = epoch, BatchInEpoch = next };
                    var stop = Options.Train.MaxSteps is { } max && step >= max;
                    if (stop || (Options.Train.SaveEverySteps > 0 && step % Options.Train.SaveEverySteps == 0))
                        checkpoints.Save(model, optimizer, state);
                    if (stop)
                    {
                        progress.Log($"stopped after step {step} (--max-steps); resume by rerunning the same command");
                        return false;
                    }
                }

                if (evaluate)
                {
                    var devLoss = Evaluate(dev!, padId);
                    state.Extra[$"dev_loss_epoch_{epoch + 1}"] = Format(devLoss);
                    var better = state.BestMetric is not { } best || devLoss < best;
                    progress.Log($"epoch {epoch + 1}/{Options.Epochs} dev loss {devLoss:F4}" + (better ? " (best)" : ""));
                    if (better)
                    {
                        state = state with { BestMetric = devLoss };
                        checkpoints.SaveAs("best", model, null, state);
                        saveModel?.Invoke(Path.Combine(outDir, "best"));
                    }
                }
                state = state with { Epoch = epoch + 1, BatchInEpoch = 0 };
                checkpoints.Save(model, optimizer, state);
            }
            return true;
        }, startStep: state.Step, plainOutput: plainOutput);

        if (completed) saveModel?.Invoke(Path.Combine(outDir, "final"));
        var result = new SftResult
        {
            Steps = state.Step,
            TotalSteps = totalSteps,
            Completed = completed,
            ResumedFromStep = resumedFrom,
            DevLossBefore = Parse(state.Extra.GetValueOrDefault("dev_loss_before")),
            DevLossPerEpoch = Enumerable.Range(1, Options.Epochs)
                .Select(e => Parse(state.Extra.GetValueOrDefault($"dev_loss_epoch_{e}"))).OfType<double>().ToList(),
            BestDevLoss = state.BestMetric,
            LastTrainLoss = lastLoss,
            TrainableParameters = trainable,
        };
        IO.AtomicFile.WriteAllText(Path.Combine(outDir, "sft-metrics.json"), JsonSerializer.Serialize(new { options = Options, result },
            new JsonSerializerOptions { WriteIndented = true, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals }));
        optimizer.Dispose();
        return result;
    }

    /// <summary>Token-weighted mean answer loss (nats/token) over <paramref name="data"/>, in eval mode (no dropout).</summary>
    public double Evaluate(IReadOnlyList<SftSequence> data, int padId)
    {
        var wasTraining = model.training;
        model.eval();
        double sum = 0;
        long count = 0;
        using (no_grad())
            for (var i = 0; i < data.Count; i += Options.Train.BatchSize)
            {
                using var scope = NewDisposeScope();
                using var batch = new SftBatch(data.Skip(i).Take(Options.Train.BatchSize).ToList(), padId);
                sum += batch.LossSum(logits(batch.InputIds, batch.AttentionMask)).item<float>();
                count += batch.LossTokens;
            }
        if (wasTraining) model.train();
        return sum / Math.Max(1, count);
    }

    (double Loss, long Tokens) Step(optim.Optimizer optimizer, IReadOnlyList<TorchSharp.Modules.Parameter> parameters, List<SftBatch> window)
    {
        optimizer.zero_grad();
        var lossTokens = Math.Max(1, window.Sum(w => w.LossTokens));
        double total = 0;
        foreach (var batch in window)
        {
            using (var scope = NewDisposeScope())
            {
                var loss = batch.LossSum(logits(batch.InputIds, batch.AttentionMask)) / lossTokens;
                loss.backward();
                total += loss.item<float>();
            }
            batch.Dispose();
        }
        if (Options.Train.MaxGradNorm > 0) nn.utils.clip_grad_norm_(parameters, Options.Train.MaxGradNorm);
        optimizer.step();
        return (total, window.Sum(w => w.Tokens));
    }

    /// <summary>Micro-batches of example indices for an epoch: a shuffle seeded by (seed, epoch), cut into batches.</summary>
    List<int[]> EpochBatches(int count, int epoch)
    {
        var order = Enumerable.Range(0, count).ToArray();
        new Random(unchecked(Options.Train.Seed * 1_000_003 + epoch) & int.MaxValue).Shuffle(order);
        return order.Chunk(Options.Train.BatchSize).ToList();
    }

    static string Format(double v) => v.ToString("R", CultureInfo.InvariantCulture);
    static double? Parse(string? s) => s is null ? null : double.Parse(s, CultureInfo.InvariantCulture);
}
