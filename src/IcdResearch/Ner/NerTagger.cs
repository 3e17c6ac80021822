using IcdResearch.Pipelines.SystemA;
using IcdResearch.Inference;
using IcdResearch.Inference.Constraints;
using IcdResearch.Progress;

namespace IcdResearch.Ner;

/// <summary>
/// LLM-NER (system paper §3.2): the text is cut into segments (<see cref="NerSegment"/>), the model copies each segment
/// with disease entities wrapped in [ ] (constrained to the bracket-copy grammar), and the brackets are parsed back into
/// spans of the original text. If an unconstrained model's copy differs from the source, its entity strings are located
/// in the source instead (longest-first, as <see cref="EntityAligner"/>).
/// </summary>
public sealed class NerTagger(IAnswerGenerator model, int segmentChars = 96, int batchSize = 8)
{
    public List<EntitySpan> Tag(string text) => TagMany([text])[0];

    public List<List<EntitySpan>> TagMany(IReadOnlyList<string> texts)
    {
        var jobs = new List<(int Doc, int Offset, string Segment)>();
        for (var d = 0; d < texts.Count; d++)
        {
            var escaped = BracketFormat.Escape(texts[d]); // same length as the text, so offsets carry over
            var offset = 0;
            foreach (var seg in NerSegment.Split(escaped, [], segmentChars))
            {
                offset = escaped.IndexOf(seg.Text, offset, StringComparison.Ordinal);
                jobs.Add((d, offset, seg.Text));
                offset += seg.Text.Length;
            }
        }
        var result = texts.Select(_ => new List<EntitySpan>()).ToList();
        if (jobs.Count == 0) return result;
        WorkProgress.Run($"NER on {texts.Count} texts", jobs.Count, "segments", progress =>
        {
            foreach (var batch in jobs.Chunk(batchSize))
            {
                var answers = model.Greedy(batch.Select(j => SystemAPrompts.Ner(j.Segment)).ToList(),
                    batch.Select(j => (AnswerGrammar)new AnswerGrammar.BracketCopy(j.Segment)).ToList());
                for (var i = 0; i < batch.Length; i++)
                    foreach (var s in SpansIn(batch[i].Segment, answers[i].Text))
                        result[batch[i].Doc].Add(new EntitySpan(s.Start + batch[i].Offset, s.End + batch[i].Offset));
                progress.Advance(batch.Length);
            }
        });
        return result;
    }

    /// <summary>Entity spans of <paramref name="segment"/> from a bracketed model output.</summary>
    public static List<EntitySpan> SpansIn(string segment, string output)
    {
        var (plain, spans) = BracketFormat.Parse(output);
        if (plain == segment) return spans;
        var aligner = new EntityAligner(minLength: 1);
        return aligner.Align(segment, aligner.Lexicon(spans.Select(s => s.Of(plain))));
    }
}
