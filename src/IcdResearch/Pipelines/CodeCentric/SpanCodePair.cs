using System.Text.Json.Serialization;

namespace IcdResearch.Pipelines.CodeCentric;

/// <summary>
/// One span-level training pair "evidence → code" (CCL paper §3.2–3.3). <see cref="Frequency"/> counts how many
/// documents yielded the span (silver, Zhang et al. Eq. 7) or mentions (gold index); <see cref="From"/> names the neighbour code a
/// synthetic span was derived from (Zhang et al. Eq. 8).
/// </summary>
public sealed record SpanCodePair(
    [property: JsonPropertyName("span")] string Span,
    [property: JsonPropertyName("code")] string Code,
    [property: JsonPropertyName("source"), JsonConverter(typeof(JsonStringEnumConverter<PairSource>))] PairSource Source,
    [property: JsonPropertyName("frequency")] int Frequency = 1,
    [property: JsonPropertyName("from")] string? From = null);
