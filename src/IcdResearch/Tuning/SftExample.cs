namespace IcdResearch.Tuning;

/// <summary>
/// One supervised fine-tuning pair: the user <paramref name="Prompt"/> and the target <paramref name="Answer"/>, with an
/// optional system message. Rendered with the model's chat template (<see cref="SftEncoder"/>); loss is on the answer only.
/// </summary>
public sealed record SftExample(string Prompt, string Answer, string? System = null);
