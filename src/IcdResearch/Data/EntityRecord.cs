namespace IcdResearch.Data;

/// <summary>
/// One group of extracted entities: entity type (疾病, 症状, 检查项目, 治疗方法, 身体部位, 药物, 手术, 发病时间 …) → the
/// entity strings (the file joins them with the full-width comma ，), in file order.
/// </summary>
public sealed record EntityGroup(IReadOnlyList<KeyValuePair<string, IReadOnlyList<string>>> Types)
{
    public IReadOnlyList<string> this[string type] =>
        Types.FirstOrDefault(t => t.Key == type).Value ?? [];

    /// <summary>"类型：a，b" lines.</summary>
    public string ToText() => string.Join('\n', Types.Select(t => $"{t.Key}：{string.Join('，', t.Value)}"));
}

/// <summary>
/// The entity-extracted view of a CCL25 record (train-entities.json, test-a-entities.json): the entities a third-party
/// extractor found for the primary-diagnosis text and for the other-diagnosis text. Not the raw text.
/// </summary>
public sealed record EntityRecord
{
    public required string Id { get; init; }
    public required IReadOnlyList<EntityGroup> PrimaryView { get; init; }
    public required IReadOnlyList<EntityGroup> OtherView { get; init; }
    public string? PrimaryCode { get; init; }
    public IReadOnlyList<string>? OtherCodes { get; init; }

    public bool HasLabels => PrimaryCode is not null && OtherCodes is not null;

    /// <summary>All entities of one type across both views, without duplicates, in order of appearance.</summary>
    public IReadOnlyList<string> Entities(string type) =>
        PrimaryView.Concat(OtherView).SelectMany(g => g[type]).Distinct(StringComparer.Ordinal).ToList();

    /// <summary>Both views as text (the document a retrieval or bag-of-n-grams model sees for an entity-only record).</summary>
    public string ToText() =>
        string.Join('\n', PrimaryView.Concat(OtherView).Select(g => g.ToText()));

    public CodeAssignment Labels() => HasLabels
        ? new CodeAssignment(Id, PrimaryCode!, OtherCodes!)
        : throw new InvalidOperationException($"record {Id} has no labels");
}
