using System.Text.Json;
using System.Text.Json.Serialization;

namespace Alignment.AzureDevOps.Wire;

// Wire shapes of the Azure DevOps REST API 7.1, as they come over the wire. Converters in Core map them
// to the domain; nothing here interprets a value.

/// <summary>The usual collection envelope <c>{count, value:[...]}</c>.</summary>
public sealed record AdoList<T>
{
    public int Count { get; init; }
    public List<T> Value { get; init; } = [];
}

public sealed record AdoWiqlRequest(string Query);

public sealed record AdoWiqlResult
{
    public List<AdoWorkItemReference> WorkItems { get; init; } = [];
}

public sealed record AdoWorkItemReference
{
    public required int Id { get; init; }
    public string? Url { get; init; }
}

public sealed record AdoWorkItemsBatchRequest
{
    public required List<int> Ids { get; init; }
    [JsonPropertyName("$expand")] public string Expand { get; init; } = "Relations";
    public string ErrorPolicy { get; init; } = "Omit";
}

/// <summary>A work item with all fields (<c>$expand=Relations</c>); field values stay raw JSON.</summary>
public sealed record AdoWorkItem
{
    public required int Id { get; init; }
    public int Rev { get; init; }
    public required Dictionary<string, JsonElement> Fields { get; init; }
    public List<AdoRelation>? Relations { get; init; }
    public string? Url { get; init; }
    /// <summary>Everything else (<c>_links</c>, <c>commentVersionRef</c>...), kept for the raw payload.</summary>
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }
}

public sealed record AdoRelation
{
    public required string Rel { get; init; }
    public required string Url { get; init; }
    public Dictionary<string, JsonElement>? Attributes { get; init; }
}

public sealed record AdoBacklogConfiguration
{
    public AdoBacklogFields? BacklogFields { get; init; }
    public List<AdoTypeMappedStates> WorkItemTypeMappedStates { get; init; } = [];
    public List<AdoBacklogLevel> PortfolioBacklogs { get; init; } = [];
    public AdoBacklogLevel? RequirementBacklog { get; init; }
    public AdoBacklogLevel? TaskBacklog { get; init; }
    public AdoBacklogLevel? BugWorkItems { get; init; }
}

public sealed record AdoBacklogFields
{
    /// <summary>Logical field → reference name, e.g. <c>Effort</c> → <c>Microsoft.VSTS.Scheduling.StoryPoints</c>, <c>Order</c> → <c>Microsoft.VSTS.Common.BacklogPriority</c>.</summary>
    public Dictionary<string, string> TypeFields { get; init; } = [];
}

public sealed record AdoTypeMappedStates
{
    public required string WorkItemTypeName { get; init; }
    /// <summary>State name → category (Proposed, InProgress, Resolved, Completed, Removed).</summary>
    public Dictionary<string, string> States { get; init; } = [];
}

public sealed record AdoBacklogLevel
{
    public string? Id { get; init; }
    public string? Name { get; init; }
    public int Rank { get; init; }
    public List<AdoNamed> WorkItemTypes { get; init; } = [];
}

public sealed record AdoNamed
{
    public string Name { get; init; } = "";
}

public sealed record AdoWorkItemStateColor
{
    public required string Name { get; init; }
    public string? Category { get; init; }
}

public sealed record AdoTeamSettings
{
    public List<string> WorkingDays { get; init; } = [];
    public AdoIterationRef? BacklogIteration { get; init; }
    public AdoIterationRef? DefaultIteration { get; init; }
}

public sealed record AdoIterationRef
{
    public string? Id { get; init; }
    public string? Name { get; init; }
    public string? Path { get; init; }
}

public sealed record AdoTeamFieldValues
{
    public AdoFieldRef? Field { get; init; }
    public string? DefaultValue { get; init; }
    public List<AdoTeamFieldValue> Values { get; init; } = [];
}

public sealed record AdoFieldRef
{
    public string? ReferenceName { get; init; }
}

public sealed record AdoTeamFieldValue
{
    public required string Value { get; init; }
    public bool IncludeChildren { get; init; }
}

public sealed record AdoIteration
{
    public required string Id { get; init; }
    public required string Name { get; init; }
    public string? Path { get; init; }
    public AdoIterationAttributes? Attributes { get; init; }
}

public sealed record AdoIterationAttributes
{
    public DateTimeOffset? StartDate { get; init; }
    public DateTimeOffset? FinishDate { get; init; }
    /// <summary><c>"past"|"current"|"future"</c> (7.x); older servers sent the enum number 0/1/2.</summary>
    public JsonElement? TimeFrame { get; init; }
}

/// <summary>
/// Both capacity shapes: 7.x (since 6.1) <c>{teamMembers, totalCapacityPerDay, totalDaysOff}</c> and
/// ≤ 6.0 <c>{count, value}</c>. Use <see cref="Members"/>.
/// </summary>
public sealed record AdoCapacities
{
    public List<AdoMemberCapacity>? TeamMembers { get; init; }
    public List<AdoMemberCapacity>? Value { get; init; }
    public double? TotalCapacityPerDay { get; init; }
    public double? TotalDaysOff { get; init; }

    [JsonIgnore] public IReadOnlyList<AdoMemberCapacity> Members => TeamMembers ?? Value ?? [];
}

public sealed record AdoMemberCapacity
{
    public AdoIdentityRef? TeamMember { get; init; }
    public List<AdoActivity> Activities { get; init; } = [];
    public List<AdoDateRange> DaysOff { get; init; } = [];
}

public sealed record AdoIdentityRef
{
    public string? DisplayName { get; init; }
    public string? UniqueName { get; init; }
    public string? Id { get; init; }
}

public sealed record AdoActivity
{
    public string? Name { get; init; }
    public double CapacityPerDay { get; init; }
}

public sealed record AdoDateRange
{
    public DateTimeOffset Start { get; init; }
    public DateTimeOffset End { get; init; }
}

public sealed record AdoTeamDaysOff
{
    public List<AdoDateRange> DaysOff { get; init; } = [];
}

public sealed record AdoRevisionsPage
{
    public List<AdoRevision> Values { get; init; } = [];
    public string? ContinuationToken { get; init; }
    public bool IsLastBatch { get; init; }
    public string? NextLink { get; init; }
}

public sealed record AdoRevision
{
    public required int Id { get; init; }
    public int Rev { get; init; }
    public Dictionary<string, JsonElement> Fields { get; init; } = [];
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.AllowReadingFromString)]
[JsonSerializable(typeof(AdoWiqlRequest))]
[JsonSerializable(typeof(AdoWiqlResult))]
[JsonSerializable(typeof(AdoWorkItemsBatchRequest))]
[JsonSerializable(typeof(AdoList<AdoWorkItem?>))]
[JsonSerializable(typeof(AdoList<JsonElement>))]
[JsonSerializable(typeof(AdoWorkItem))]
[JsonSerializable(typeof(AdoBacklogConfiguration))]
[JsonSerializable(typeof(AdoList<AdoWorkItemStateColor>))]
[JsonSerializable(typeof(AdoTeamSettings))]
[JsonSerializable(typeof(AdoTeamFieldValues))]
[JsonSerializable(typeof(AdoList<AdoIteration>))]
[JsonSerializable(typeof(AdoCapacities))]
[JsonSerializable(typeof(AdoTeamDaysOff))]
[JsonSerializable(typeof(AdoRevisionsPage))]
[JsonSerializable(typeof(Dictionary<string, string>))]
public sealed partial class AzureDevOpsJson : JsonSerializerContext;
