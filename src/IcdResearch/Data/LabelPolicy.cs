namespace IcdResearch.Data;

/// <summary>How a loader treats 主要诊断编码 / 其他诊断编码.</summary>
public enum LabelPolicy
{
    /// <summary>Read the labels when both fields are present; a file may be unlabelled (test-a). One field without the other is an error.</summary>
    Optional,
    /// <summary>Both label fields must be present (gold files, training files).</summary>
    Required,
    /// <summary>Do not read labels even if present (e.g. test-a-entities.json, whose label fields are not gold).</summary>
    Ignore,
}
