using IcdResearch.Inference;
using IcdResearch.Inference.Constraints;

namespace IcdResearch.Pipelines.CodeCentric;

/// <summary>
/// Stage 1 of silver mining with the model itself (Zhang et al. Eq. 6, prompt <see cref="CodeCentricPrompts.MineSpan"/>):
/// for each training document and gold code the model answers with a span of the document or 无证据. Decoding is
/// restricted (one-name answer grammar, a prefix trie over the allowed strings) to the document's substrings (2 to <c>maxSpan</c> characters, whole segments only
/// inside one clause) and 无证据, so every answer is verbatim by construction — and is still checked. Stage 2 uses the
/// same frequency consolidation as the aligner (<see cref="SilverPairMiner.Consolidate"/>); the consolidation prompt
/// (<see cref="CodeCentricPrompts.ConsolidateSpans"/>) is documented but not asked of the small backbone.
/// </summary>
public sealed class ModelSpanMiner(IAnswerGenerator model, int maxSpan = 16, int maxNewTokens = 24)
{
    public (List<SilverPairMiner.MinedSpan> Spans, SilverPairMiner.Report Report) ExtractAll(
        IEnumerable<SilverPairMiner.Document> documents, IReadOnlyDictionary<string, string> names)
    {
        var spans = new List<SilverPairMiner.MinedSpan>();
        int docs = 0, attempts = 0, none = 0, rejected = 0;
        foreach (var doc in documents)
        {
            docs++;
            var codes = doc.Codes.Distinct().ToList();
            var prompts = codes.Select(c => string.Format(CodeCentricPrompts.MineSpan, c, names.GetValueOrDefault(c, c), doc.Text)).ToList();
            var grammar = new AnswerGrammar.OneName(Candidates(doc.Text).Append(CodeCentricPrompts.NoEvidence).ToList());
            var answers = model.Greedy(prompts, prompts.Select(_ => (AnswerGrammar)grammar).ToList(), null, maxNewTokens).Select(a => a.Text).ToList();
            for (int i = 0; i < codes.Count; i++)
            {
                attempts++;
                var span = answers[i].Trim();
                if (span.Length == 0 || span == CodeCentricPrompts.NoEvidence) { none++; continue; }
                int at = doc.Text.IndexOf(span, StringComparison.Ordinal);
                if (at < 0) { rejected++; continue; }
                spans.Add(new SilverPairMiner.MinedSpan(doc.Id, codes[i], span, at));
            }
        }
        return (spans, new SilverPairMiner.Report(docs, attempts, spans.Count, none, rejected));
    }

    /// <summary>Every substring of 2..maxSpan characters that lies inside one segment of the document.</summary>
    public IEnumerable<string> Candidates(string document) =>
        DocumentSegments.Split(document)
            .SelectMany(s => Enumerable.Range(0, s.Text.Length).SelectMany(i =>
                Enumerable.Range(2, Math.Max(0, Math.Min(maxSpan, s.Text.Length - i) - 1)).Select(len => s.Text.Substring(i, len))))
            .Distinct(StringComparer.Ordinal);
}
