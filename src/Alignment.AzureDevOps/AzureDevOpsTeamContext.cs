
namespace Alignment.AzureDevOps;

/// <summary>One team area (team field value): <c>UNDER</c> when children are included, else <c>=</c>.</summary>
public sealed record AdoArea(string Path, bool IncludeChildren)
{
    public bool Contains(string? path)
    {
        if (string.IsNullOrEmpty(path)) return false;
        if (path.Equals(Path, StringComparison.OrdinalIgnoreCase)) return true;
        return IncludeChildren && path.StartsWith(Path + "\\", StringComparison.OrdinalIgnoreCase);
    }
}

/// <summary>
/// What the converter needs to know about a team's process: the estimate and order fields, the state
/// categories per work item type, the backlog levels, and the team's iterations. Built from the team's
/// backlog configuration, work item type states and team settings.
/// </summary>
public sealed class AzureDevOpsProcess
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, Dictionary<string, string>> _states = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, WorkItemType> _levels = new(StringComparer.OrdinalIgnoreCase);

    public string? EstimateField { get; init; }
    public string? OrderField { get; init; }

    public static AzureDevOpsProcess From(AdoBacklogConfiguration config, string? estimateOverride)
    {
        var fields = config.BacklogFields?.TypeFields ?? [];
        var p = new AzureDevOpsProcess
        {
            EstimateField = !string.IsNullOrWhiteSpace(estimateOverride) ? estimateOverride : fields.GetValueOrDefault("Effort"),
            OrderField = fields.GetValueOrDefault("Order"),
        };
        // A list missing from the answer reads as null (source-generated init properties), not as its initializer.
        foreach (var t in config.WorkItemTypeMappedStates ?? []) if (t?.WorkItemTypeName is not null) p.AddStates(t.WorkItemTypeName, t.States ?? []);
        foreach (var level in (config.PortfolioBacklogs ?? []).OfType<AdoBacklogLevel>())
        {
            var kind = (level.Id ?? level.Name ?? "").Contains("Epic", StringComparison.OrdinalIgnoreCase) ? WorkItemType.Epic : WorkItemType.Feature;
            foreach (var t in level.WorkItemTypes ?? []) if (t?.Name is not null) p._levels.TryAdd(t.Name, kind);
        }
        foreach (var t in config.RequirementBacklog?.WorkItemTypes ?? []) if (t?.Name is not null) p._levels.TryAdd(t.Name, WorkItemType.Story);
        foreach (var t in config.TaskBacklog?.WorkItemTypes ?? []) if (t?.Name is not null) p._levels.TryAdd(t.Name, WorkItemType.Task);
        foreach (var t in config.BugWorkItems?.WorkItemTypes ?? []) if (t?.Name is not null) p._levels.TryAdd(t.Name, WorkItemType.Bug);
        return p;
    }

    public bool KnowsStatesOf(string type) => _states.ContainsKey(type);

    public void AddStates(string type, IReadOnlyDictionary<string, string> stateToCategory) =>
        _states[type] = new Dictionary<string, string>(stateToCategory, StringComparer.OrdinalIgnoreCase);

    public void AddStates(string type, IEnumerable<AdoWorkItemStateColor> states)
    {
        // Tolerant of what a tracker may send: a state listed twice (the last wins), an entry without a name.
        var map = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var s in states ?? []) if (s is { Name: not null, Category: not null }) map[s.Name] = s.Category;
        AddStates(type, map);
    }

    /// <summary>The ADO state category (Proposed, InProgress, Resolved, Completed, Removed), or null when unknown.</summary>
    public string? CategoryOf(string type, string state) =>
        _states.TryGetValue(type, out var m) && m.TryGetValue(state, out var c) ? c : null;

    /// <summary>Type by docs/data-model.md name mapping, then by backlog level (custom types), else <c>other</c>.</summary>
    public WorkItemType TypeOf(string type) => type.ToLowerInvariant() switch
    {
        "epic" => WorkItemType.Epic,
        "feature" => WorkItemType.Feature,
        "user story" or "product backlog item" or "requirement" or "issue" => WorkItemType.Story,
        "bug" => WorkItemType.Bug,
        "task" => WorkItemType.Task,
        _ => _levels.GetValueOrDefault(type, WorkItemType.Other),
    };
}

/// <summary>A synced team as the converter sees it.</summary>
public sealed record AzureDevOpsTeamContext
{
    public required TeamOptions Team { get; init; }
    public required string Project { get; init; }
    public required AzureDevOpsProcess Process { get; init; }
    public IReadOnlyList<AdoIteration> Iterations { get; init; } = [];
    public IReadOnlyList<AdoArea> Areas { get; init; } = [];
    /// <summary>The team's backlog (root) iteration path: items there are in no sprint.</summary>
    public string? BacklogIterationPath { get; init; }
}
