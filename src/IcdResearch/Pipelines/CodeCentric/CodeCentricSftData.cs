namespace IcdResearch.Pipelines.CodeCentric;

/// <summary>
/// The supervised examples of CCL's mixed training (§3.2) as (prompt, answer) pairs: document-level examples (codes
/// only, Table 3 line 2; or evidence then codes, line 3 and Appendix F) and span-level examples "evidence → code"
/// (lines 4–5). The arms train one model on the concatenation.
/// </summary>
public static class CodeCentricSftData
{
    public static List<(string Prompt, string Answer)> Documents(IEnumerable<CodeCentricCase> cases, bool withEvidence, IReadOnlyDictionary<string, string> names) =>
        cases.Select(c => (CodeCentricPrompts.Document(c.Document, withEvidence),
            CodeCentricOutput.Format(withEvidence ? c.Evidence : null, c.Codes, names))).ToList();

    public static List<(string Prompt, string Answer)> Spans(IEnumerable<SpanCodePair> pairs, IReadOnlyDictionary<string, string> names) =>
        pairs.Select(p => (CodeCentricPrompts.ForSpan(p.Span), CodeCentricOutput.FormatSpanTarget(p.Code, names))).ToList();
}
