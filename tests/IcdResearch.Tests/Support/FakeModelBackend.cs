using IcdResearch.Inference;
using IcdResearch.Ner;
using IcdResearch.Pipelines;
using IcdResearch.Pipelines.SystemA;
using IcdResearch.Retrieval;
using IcdResearch.Tuning;
using IcdResearch.Inference.Constraints;

namespace IcdResearch.Tests;

/// <summary>
/// A deterministic stand-in for the TorchSharp models, for LOGIC tests of System A's pipeline and experiment (through the same <see cref="IModelBackend"/> as the TorchSharp models): it
/// "answers" by string matching on the prompt's clinical information (a name that occurs there is chosen), with a
/// confidence that depends on whether the choice was found, and brackets lexicon words for NER. It records calls.
/// </summary>
internal sealed class FakeModelBackend : IModelBackend
{
    public List<string> Calls { get; } = [];

    public void EnsureBackbone(string directory, bool force)
    {
        Calls.Add($"backbone {directory}");
        Directory.CreateDirectory(directory);
    }

    public TrainingCost FineTune(string name, string baseModel, string directory, IReadOnlyList<(string Prompt, string Answer)> train,
        IReadOnlyList<(string Prompt, string Answer)> dev, SftOptions options, bool force)
    {
        Assert.NotEmpty(train);
        Calls.Add($"finetune {name} {train.Count} epochs {options.Epochs}");
        Directory.CreateDirectory(directory);
        return new TrainingCost(train.Count, train.Sum(e => (long)e.Prompt.Length + e.Answer.Length), 0.01, options.Epochs, 0);
    }

    public IAnswerGenerator Generator(string modelDirectory) => new FakeGenerator(Path.GetFileName(modelDirectory));

    public ITextEmbedder Embedder(string modelDirectory) => new CharCountEmbedder();

    internal sealed class CharCountEmbedder : ITextEmbedder
    {
        public string Name => "hidden";
        public float[][] Embed(IReadOnlyList<string> texts) => texts.Select(t =>
        {
            var v = new float[64];
            foreach (var c in t) v[c % 64] += 1;
            return v;
        }).ToArray();
    }

    internal sealed class FakeGenerator(string model) : IAnswerGenerator
    {
        public IReadOnlyList<GeneratedAnswer> Greedy(IReadOnlyList<string> prompts, IReadOnlyList<AnswerGrammar> grammars,
            IReadOnlyList<string?>? answerPrefixes = null, int? maxNewTokens = null)
            => prompts.Select((p, i) => Answer(p, grammars[i], 0)).ToList();

        public IReadOnlyList<GeneratedAnswer> Sample(string prompt, AnswerGrammar grammar, int count, int seed)
            => Enumerable.Range(0, count).Select(k => Answer(prompt, grammar, seed + k)).ToList();

        GeneratedAnswer Answer(string prompt, AnswerGrammar grammar, int seed)
        {
            var info = Info(prompt);
            switch (grammar)
            {
                case AnswerGrammar.OneName g:
                    var found = g.Names.FirstOrDefault(info.Contains);
                    return found is null
                        ? new GeneratedAnswer(g.Names[Math.Abs(info.Length + model.Length) % g.Names.Count], [0.6, 0.7])
                        : new GeneratedAnswer(found, [1.0, 1.0]);
                case AnswerGrammar.NameSet g:
                    var rng = new Random(seed);
                    var names = g.Names.Where(n => info.Contains(n) || rng.NextDouble() < 0.02).ToList();
                    return new GeneratedAnswer(names.Count == 0 ? DiseaseCandidates.None : string.Join(';', names), [0.9]);
                case AnswerGrammar.BracketCopy g:
                    var aligner = new EntityAligner();
                    var spans = model == "backbone" ? [] : aligner.Align(g.Source, aligner.Lexicon(["冠心病", "心律失常", "2型糖尿病", "脂肪肝", "高脂血症", "心房颤动", "陈旧性心肌梗死"]));
                    return new GeneratedAnswer(BracketFormat.Wrap(g.Source, spans), [0.9]);
                default:
                    return new GeneratedAnswer("", []);
            }
        }

        static string Info(string prompt)
        {
            var start = prompt.IndexOf("临床信息：", StringComparison.Ordinal);
            var end = prompt.IndexOf("\n候选疾病：", StringComparison.Ordinal);
            if (start >= 0 && end > start) return prompt[start..end];
            var text = prompt.IndexOf("文本：", StringComparison.Ordinal);
            return text >= 0 ? prompt[text..] : prompt;
        }
    }
}
