namespace Alignment.Domain.Model;

/// <summary>A normalized work item as a converter produces it from one tracker payload.</summary>
public sealed record WorkItem
{
    public required string SourceId { get; init; }
    public required string ExternalId { get; init; }
    public required string Key { get; init; }
    public required string Url { get; init; }
    public required WorkItemType Type { get; init; }
    public required string OriginalType { get; init; }
    public required string Title { get; init; }
    public required string Status { get; init; }
    public required StatusCategory StatusCategory { get; init; }
    public double? StoryPoints { get; init; }
    public string? TeamId { get; init; }
    /// <summary>External id of the sprint the item is in now (the open one, else the latest).</summary>
    public string? SprintId { get; init; }
    /// <summary>Key of the parent item in the same source (epic, feature or story).</summary>
    public string? ParentKey { get; init; }
    public string? Rank { get; init; }
    public string? Priority { get; init; }
    public string? Assignee { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public required DateTimeOffset UpdatedAt { get; init; }
    public DateTimeOffset? ResolvedAt { get; init; }
    public DateOnly? DueDate { get; init; }
    public IReadOnlyList<string> Labels { get; init; } = [];
    /// <summary>Every sprint the item is or was in, as the tracker reports it now.</summary>
    public IReadOnlyList<string> SprintIds { get; init; } = [];
    /// <summary>The value fields' numbers (null without any: no value fields configured, or none filled in).</summary>
    public ItemValue? Value { get; init; }
}

/// <summary>A link reported by one item. For <see cref="LinkKind.Dependency"/> the From item depends on the To item.</summary>
public sealed record WorkItemLink
{
    /// <summary>The item whose payload reported the link (links are replaced per reporting item).</summary>
    public required string ReporterSourceId { get; init; }
    public required string ReporterExternalId { get; init; }
    public required string FromSourceId { get; init; }
    public required string FromKey { get; init; }
    /// <summary>Null when the target is outside every configured source (kept as an external reference).</summary>
    public string? ToSourceId { get; init; }
    public required string ToKey { get; init; }
    public string? ToUrl { get; init; }
    public required LinkKind Kind { get; init; }
    public required LinkOrigin Origin { get; init; }
}

public sealed record Sprint
{
    public required string SourceId { get; init; }
    public required string ExternalId { get; init; }
    public required string Name { get; init; }
    public required SprintState State { get; init; }
    public DateTimeOffset? StartAt { get; init; }
    /// <summary>Planned end (exclusive instant; Azure DevOps inclusive finish dates are converted to the next midnight).</summary>
    public DateTimeOffset? EndAt { get; init; }
    public DateTimeOffset? CompletedAt { get; init; }
    public string? Goal { get; init; }
    public string? Path { get; init; }
}

public sealed record ItemEvent
{
    public required string SourceId { get; init; }
    public required string ItemExternalId { get; init; }
    /// <summary>Stable id within the item (history id + field), so re-reading history never duplicates.</summary>
    public required string EventId { get; init; }
    public required DateTimeOffset At { get; init; }
    public required ItemEventKind Kind { get; init; }
    public string? From { get; init; }
    public string? To { get; init; }
}

public sealed record RawPayload(string SourceId, string ExternalId, string Payload);

/// <summary>
/// The WSJF inputs and budget of an epic or feature as the tracker's configured value fields hold them (<c>Sources:N:Fields</c>);
/// each null when the field is not configured or empty on the item. Never invented: a source without value fields has none.
/// </summary>
public sealed record ItemValue(double? BusinessValue, double? TimeCriticality, double? RiskReduction, double? JobSize, double? Budget)
{
    public bool IsEmpty => BusinessValue is null && TimeCriticality is null && RiskReduction is null && JobSize is null && Budget is null;

    /// <summary>Whether any cost-of-delay input (business value, time criticality, risk reduction) is there.</summary>
    public bool HasCostOfDelay => BusinessValue is not null || TimeCriticality is not null || RiskReduction is not null;

    /// <summary>Null when nothing is set, so an item without value stores and loads as it did before value fields existed.</summary>
    public static ItemValue? Of(double? businessValue, double? timeCriticality, double? riskReduction, double? jobSize, double? budget) =>
        businessValue is null && timeCriticality is null && riskReduction is null && jobSize is null && budget is null
            ? null : new ItemValue(businessValue, timeCriticality, riskReduction, jobSize, budget);
}
