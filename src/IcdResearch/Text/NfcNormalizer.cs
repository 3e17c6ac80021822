using System.Text;
using Microsoft.ML.Tokenizers;

namespace IcdResearch.Text;

/// <summary>Unicode NFC normalisation, the <c>normalizer: {"type": "NFC"}</c> of Qwen2's tokenizer.json.</summary>
public sealed class NfcNormalizer : Normalizer
{
    public static NfcNormalizer Instance { get; } = new();

    public override string Normalize(string original) =>
        original.IsNormalized(NormalizationForm.FormC) ? original : original.Normalize(NormalizationForm.FormC);

    public override string Normalize(ReadOnlySpan<char> original) => Normalize(original.ToString());
}
