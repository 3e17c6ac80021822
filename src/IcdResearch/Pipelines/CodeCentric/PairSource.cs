namespace IcdResearch.Pipelines.CodeCentric;

/// <summary>
/// Where an evidence → code pair comes from (CCL paper §3.3). The paper's gold sources are MDACE spans and the
/// ICD-10-CM Tabular List / Alphabetic Index; here DCCNCE 2.0 names play the Tabular List and CHIP-CDN mentions the
/// Alphabetic Index; silver pairs are mined from labelled training records (Zhang et al. Eq. 6–7); synthetic pairs are generated
/// from the nearest code in the hierarchy (Zhang et al. Eq. 8).
/// </summary>
public enum PairSource
{
    /// <summary>Official disease name → code (DCCNCE 2.0; the Tabular List role).</summary>
    GoldTabular,
    /// <summary>Clinical mention whose standard term is a DCCNCE name → code (CHIP-CDN; the Alphabetic Index role).</summary>
    GoldIndex,
    /// <summary>Verbatim span mined from a labelled training record and consolidated per code (Zhang et al. Eq. 6–7).</summary>
    Silver,
    /// <summary>Span generated for a code without gold/silver clinical evidence from its nearest neighbour (Zhang et al. Eq. 8).</summary>
    Synthetic,
}
