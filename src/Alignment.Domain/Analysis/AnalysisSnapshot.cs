
namespace Alignment.Domain.Analysis;

/// <summary>One work item as the analyzers see it (not deleted). Dates are UTC; type and status are parsed once, at load.</summary>
public sealed record SnapshotItem(
    string Source, string ExternalId, string Key, string Url, WorkItemType Type, string Title, StatusCategory StatusCategory,
    double? Points, string? Team, string? SprintId, string[] SprintIds, string? ParentKey, string? Rank,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, DateOnly? DueDate, DateTimeOffset? FirstSprintAddedAt = null, ItemValue? Value = null)
{
    public bool IsOpen => StatusCategory is StatusCategory.Todo or StatusCategory.InProgress;
    public bool IsDone => StatusCategory == StatusCategory.Done;
    public bool IsRemoved => StatusCategory == StatusCategory.Removed;
    public bool IsStoryLike => Type is WorkItemType.Story or WorkItemType.Bug;
    /// <summary>Work a team does in sprints: not an epic, a feature or a task (stories, bugs, other).</summary>
    public bool IsBacklogWork => Type is not (WorkItemType.Epic or WorkItemType.Feature or WorkItemType.Task);
}

/// <summary>A dependency between synced items: <c>From</c> depends on <c>To</c> (To blocks From).</summary>
public sealed record SnapshotLink(string FromSource, string FromKey, string ToSource, string ToKey);

/// <summary>A sprint; <see cref="End"/> is exclusive.</summary>
public sealed record SnapshotSprint(string Source, string Id, string Name, SprintState State, DateTimeOffset? Start, DateTimeOffset? End, DateTimeOffset? Completed)
{
    public bool IsOpen => State is SprintState.Active or SprintState.Future;
    public DateOnly? FirstDay => Start is { } s ? DateOnly.FromDateTime(s.UtcDateTime) : null;
    /// <summary>The last calendar day of the sprint (the end is exclusive).</summary>
    public DateOnly? LastDay => End is { } e ? DateOnly.FromDateTime(e.UtcDateTime.AddTicks(-1)) : null;
}

/// <summary>A team; <see cref="ProductOwner"/> is its product owner's e-mail (null without one), for the product owners' backlogs.</summary>
public sealed record SnapshotTeam(string Id, string Name, string Source, IReadOnlyList<string> SprintIds, string? ProductOwner = null);

/// <summary>A row of <c>analysis.sprint_figures</c> (docs/figures.md).</summary>
public sealed record SprintFigure(string Team, string Source, string SprintId, string Basis, double Committed, double Completed,
    double Added, double Removed, double? SayDo, double? CapacityDays);

/// <summary>Available person-days of a team in a sprint (sum over members).</summary>
public sealed record SprintCapacity(string Team, string Source, string SprintId, double Days);

/// <summary>An estimate change of an item (from, to; null = unestimated).</summary>
public sealed record EstimateEvent(string Source, string ExternalId, DateTimeOffset At, double? From, double? To);

/// <summary>The configured sources (schedule and teams) and the stored sync state (<c>ops.team_sync_state</c>, quarantined items), for SYNC-STALE.</summary>
public sealed record SnapshotSync(IReadOnlyList<SyncSourceScope> Sources, SyncStateData State);

/// <summary>
/// Everything the analyzers read, loaded at one moment; <see cref="Now"/> is the only clock they use. <see cref="Finance"/> (rates, budgets)
/// and <see cref="Completions"/> (items completed per team and sprint) feed the cost model and BUDGET-OVERRUN; without them neither runs.
/// <see cref="Intervals"/> (configured planning intervals, recorded plans and outcomes) feeds the intervals document and INTERVAL-AT-RISK.
/// </summary>
public sealed record AnalysisSnapshot(
    DateTimeOffset Now,
    IReadOnlyList<SnapshotTeam> Teams,
    IReadOnlyList<SnapshotItem> Items,
    IReadOnlyList<SnapshotLink> Links,
    IReadOnlyList<SnapshotSprint> Sprints,
    IReadOnlyList<SprintFigure> Figures,
    IReadOnlyList<SprintCapacity> Capacities,
    IReadOnlyList<EstimateEvent> EstimateEvents,
    SnapshotSync? Sync = null,
    FinanceInput? Finance = null,
    IReadOnlyList<ItemCompletion>? Completions = null,
    IntervalInput? Intervals = null);
