namespace IcdResearch.Tuning;

/// <summary>What is trained: a LoRA adapter on the fp32 base, a LoRA adapter on an NF4 base (QLoRA), or every weight.</summary>
public enum FineTuneMode
{
    Lora,
    QLora,
    Full,
}
