using IcdResearch.Evaluation;
using IcdResearch.Inference;
using IcdResearch.Inference.Constraints;
using IcdResearch.Progress;

namespace IcdResearch.Pipelines.CodeCentric;

/// <summary>
/// Runs one CCL model on the held-out documents and turns its outputs into the paper's measurements: code-set
/// metrics (Table 3), evidence quality (Table 4), unseen-code recall (Figure 3) and "+ human evidence" (reference
/// evidence forced into the answer, the model completes the codes).
/// </summary>
public sealed class CodeCentricEvaluation(CodeCentricData data, CodeCentricOptions options)
{
    /// <summary>Parsed outputs of one arm on the test documents, in test order.</summary>
    public sealed record Outputs(IReadOnlyList<string> Raw, IReadOnlyList<CodeCentricOutput> Parsed)
    {
        public IReadOnlyList<IReadOnlySet<string>> Predicted => Parsed.Select(p => (IReadOnlySet<string>)p.Codes.ToHashSet(StringComparer.Ordinal)).ToList();
    }

    readonly Dictionary<string, string> _nameToCode = data.Names
        .Where(kv => data.CodeSpace.Contains(kv.Key)).GroupBy(kv => kv.Value).Where(g => g.Count() == 1)
        .ToDictionary(g => g.Key, g => g.Single().Key, StringComparer.Ordinal);

    public IReadOnlyList<IReadOnlySet<string>> Gold => data.Test.Select(c => c.CodeSet).ToList();

    public Outputs Documents(IAnswerGenerator model, bool withEvidence, bool humanEvidence = false)
    {
        var prompts = data.Test.Select(c => CodeCentricPrompts.Document(c.Document, withEvidence || humanEvidence)).ToList();
        var prefixes = humanEvidence
            ? data.Test.Select(c => (string?)(CodeCentricOutput.Format(c.Evidence, [], data.Names) + "\n")).ToList()
            : null;
        var raw = Generate(model, prompts, prefixes, options.MaxNewTokensDocument);
        var parsed = raw.Select((r, i) => CodeCentricOutput.Parse((prefixes?[i] ?? "") + r, data.CodeSpace, _nameToCode)).ToList();
        return new Outputs(raw, parsed);
    }

    /// <summary>Out-of-domain mentions → the first valid code of each answer.</summary>
    public IReadOnlyList<string?> Spans(IAnswerGenerator model, IReadOnlyList<string> spans)
    {
        var raw = Generate(model, spans.Select(CodeCentricPrompts.ForSpan).ToList(), null, options.MaxNewTokensSpan);
        return raw.Select(r => CodeCentricOutput.Parse(r, data.CodeSpace, _nameToCode).Codes.FirstOrDefault()).ToList();
    }

    /// <summary>
    /// Greedy free generation (optionally continuing a forced answer prefix), prompts ordered by length so that the
    /// model's batches waste little compute on padding; answers come back in prompt order.
    /// </summary>
    static IReadOnlyList<string> Generate(IAnswerGenerator model, IReadOnlyList<string> prompts, IReadOnlyList<string?>? prefixes, int maxNewTokens)
    {
        var order = Enumerable.Range(0, prompts.Count).OrderBy(i => prompts[i].Length + (prefixes?[i]?.Length ?? 0)).ToList();
        var free = new AnswerGrammar.Free();
        var text = new string[prompts.Count];
        long tokens = 0;
        WorkProgress.Run("generation", prompts.Count, "prompts", progress =>
        {
            foreach (var chunk in order.Chunk(8))
            {
                var answers = model.Greedy(chunk.Select(i => prompts[i]).ToList(), chunk.Select(_ => (AnswerGrammar)free).ToList(),
                    prefixes is null ? null : chunk.Select(i => prefixes[i]).ToList(), maxNewTokens);
                for (var k = 0; k < chunk.Length; k++) text[chunk[k]] = answers[k].Text;
                tokens += answers.Sum(a => a.TokenProbabilities.Count);
                progress.Advance(chunk.Length, $"{tokens / Math.Max(1e-9, progress.Elapsed.TotalSeconds):F0} generated tok/s");
            }
        });
        return text;
    }

    /// <summary>Code-set metrics of a subset of test records (indices), for the bootstrap.</summary>
    public CodeSetMetrics Metrics(Outputs outputs, IReadOnlyList<int>? indices = null)
    {
        var idx = indices ?? Enumerable.Range(0, data.Test.Count).ToList();
        var gold = Gold;
        var pred = outputs.Predicted;
        return CodeSetMetrics.Compute(idx.Select(i => gold[i]).ToList(), idx.Select(i => pred[i]).ToList());
    }

    public EvidenceMetrics.Score Evidence(Outputs outputs, IReadOnlyList<int>? indices = null, bool relaxed = false)
    {
        var idx = indices ?? Enumerable.Range(0, data.Test.Count).ToList();
        return EvidenceMetrics.Compute(idx.Select(i => data.Test[i].Evidence).ToList(), idx.Select(i => outputs.Parsed[i].Evidence).ToList(), relaxed);
    }

    /// <summary>
    /// Figure 3: the (record, code) occurrences of test codes that never occur in the document-level training data,
    /// and whether each was predicted; grouped by the strongest span evidence the code has (silver &gt; index &gt;
    /// synthetic &gt; tabular name only).
    /// </summary>
    public IReadOnlyList<(string Code, string Source, bool Hit)> Unseen(Outputs outputs)
    {
        var trained = data.Train.SelectMany(c => c.Codes).ToHashSet(StringComparer.Ordinal);
        var source = data.AllPairs.GroupBy(p => p.Code).ToDictionary(g => g.Key, g => g.Select(p => p.Source).Min(s => Rank(s)));
        var pred = outputs.Predicted;
        return data.Test.SelectMany((c, i) => c.Codes.Where(code => !trained.Contains(code))
            .Select(code => (code, SourceName(source.GetValueOrDefault(code, 99)), pred[i].Contains(code)))).ToList();

        static int Rank(PairSource s) => s switch { PairSource.Silver => 0, PairSource.GoldIndex => 1, PairSource.Synthetic => 2, _ => 3 };
        static string SourceName(int r) => r switch { 0 => "silver", 1 => "gold_index", 2 => "synthetic", 3 => "gold_tabular", _ => "none" };
    }
}
