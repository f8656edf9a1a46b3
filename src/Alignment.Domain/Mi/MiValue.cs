namespace Alignment.Domain.Mi;

/// <summary>
/// <c>GET /api/mi/value</c> (docs/figures.md, "Value"): the open epics and features of every team's ranked backlogs with their WSJF, its
/// inputs, their position in the backlog and by WSJF, and the PRIO-INVERSION pairs they are in. Computed by each analysis.
/// </summary>
public sealed record MiValue(DateTimeOffset ComputedAt, string Definition, IReadOnlyList<MiValueItem> Items, string? Reason = null)
{
    public const string WsjfDefinition =
        "WSJF = (business value + time criticality + risk reduction/opportunity enablement) ÷ job size, from the tracker fields configured in " +
        "Sources:N:Fields (an absent input counts 0; none at all: no WSJF); job size from the job-size field when above 0, else the remaining " +
        "points of the item's open descendant stories and bugs; rank = position in the team's backlog of epics, or of features, by tracker rank; " +
        "wsjfRank = position there by WSJF (highest first); rankedTooLow / rankedTooHigh: the item is the lower / higher one of a PRIO-INVERSION " +
        "(Analysis:InversionRatio) — docs/figures.md";
}

/// <summary>One epic or feature of a team's backlog (positions 1-based; nulls where a figure is unknown).</summary>
public sealed record MiValueItem(
    string Source, string Key, string Title, string Url, WorkItemType Type, string Team, StatusCategory StatusCategory,
    int Rank, int? WsjfRank, double? BusinessValue, double? TimeCriticality, double? RiskReduction, double? CostOfDelay, double? JobSize,
    string? JobSizeFrom, double? Wsjf, double? Budget, bool RankedTooLow, bool RankedTooHigh, IReadOnlyList<string> InversionWith,
    string Explain);
