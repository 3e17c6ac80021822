using IcdResearch.Text;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace IcdResearch.Tests;

/// <summary>Character tokenizer with a ChatML template (&lt;|im_start|&gt;=1, &lt;|im_end|&gt;=2, pad=0) for fine-tuning tests.</summary>
internal sealed class TestChatTokenizer : ITextTokenizer
{
    const string Start = "<|im_start|>", End = "<|im_end|>";
    public int VocabSize => 256;
    public int EosId => 2;
    public int PadId => 0;
    public IReadOnlyList<int> StopIds => [2];

    public IReadOnlyList<int> Encode(string text)
    {
        var ids = new List<int>();
        for (var i = 0; i < text.Length;)
        {
            if (string.CompareOrdinal(text, i, Start, 0, Start.Length) == 0) { ids.Add(1); i += Start.Length; }
            else if (string.CompareOrdinal(text, i, End, 0, End.Length) == 0) { ids.Add(2); i += End.Length; }
            else { ids.Add(3 + text[i] % 253); i++; }
        }
        return ids;
    }

    public string Decode(IEnumerable<int> ids, bool skipSpecialTokens = true) =>
        string.Concat(ids.Select(id => id switch { 0 => "", 1 => skipSpecialTokens ? "" : Start, 2 => skipSpecialTokens ? "" : End, _ => ((char)(id - 3)).ToString() }));

    public string ApplyChatTemplate(IReadOnlyList<ChatMessage> messages, bool addGenerationPrompt) =>
        string.Concat(messages.Select(m => $"{Start}{m.Role}\n{m.Content}{End}\n")) + (addGenerationPrompt ? $"{Start}assistant\n" : "");

    public void Save(string directory) { }
}

/// <summary>A bigram-style LM (embedding → q_proj/v_proj → head) small enough for unit tests; names follow HF projections.</summary>
internal sealed class TinyChatModel : nn.Module<Tensor, Tensor>
{
    readonly Embedding embed;
    readonly nn.Module<Tensor, Tensor> q_proj;
    readonly Linear v_proj;
    readonly Linear head;

    /// <param name="wrapQ">Optional wrapper for q_proj (e.g. a LoRA layer), applied before registration.</param>
    public TinyChatModel(int seed, int vocab = 256, int hidden = 32, Func<Linear, nn.Module<Tensor, Tensor>>? wrapQ = null)
        : base(nameof(TinyChatModel))
    {
        torch.manual_seed(seed);
        embed = nn.Embedding(vocab, hidden);
        Q = nn.Linear(hidden, hidden);
        q_proj = wrapQ?.Invoke(Q) ?? Q;
        v_proj = nn.Linear(hidden, hidden);
        head = nn.Linear(hidden, vocab);
        RegisterComponents();
    }

    public Linear Q { get; }
    public Linear V => v_proj;

    public override Tensor forward(Tensor ids)
    {
        using var scope = NewDisposeScope();
        var h = embed.forward(ids);
        h = h + q_proj.forward(h).tanh() + v_proj.forward(h).tanh();
        return head.forward(h).MoveToOuterDisposeScope();
    }

    public Tensor Logits(Tensor ids, Tensor mask) => forward(ids);
}
