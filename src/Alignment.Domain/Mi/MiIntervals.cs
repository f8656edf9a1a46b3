namespace Alignment.Domain.Mi;

/// <summary>
/// <c>GET /api/mi/intervals</c> (docs/figures.md, "Planning intervals"): per configured planning interval, what each team and the organisation
/// planned and delivered, predictability by count, points and business value, interval velocity, scope change, and the epics and features
/// that slipped with their reasons. Computed by each analysis from the recorded plans and outcomes.
/// </summary>
public sealed record MiIntervals(DateTimeOffset ComputedAt, string Definition, IReadOnlyList<MiInterval> Intervals, string? Reason = null);

/// <summary>One interval: <see cref="Phase"/> is the organisation's (finished when every team with a plan has its outcome).</summary>
public sealed record MiInterval(string Id, DateOnly Start, DateOnly End, IntervalPhase Phase, MiIntervalFigures Organisation,
    IReadOnlyList<MiIntervalTeam> Teams);

/// <summary>
/// A team's interval: its sprints of the interval, the plan's moment and basis (observed or reconstructed), the end, the figures, the
/// slipped epics and features, and during the interval the forecast of its remaining planned work (INTERVAL-AT-RISK).
/// </summary>
public sealed record MiIntervalTeam(string Team, string Name, IntervalPhase Phase, string? Basis, DateTimeOffset? PlanAt, DateTimeOffset? EndAt,
    DateOnly? LastDay, IReadOnlyList<string> Sprints, MiIntervalFigures Figures, IReadOnlyList<MiSlip> Slipped, MiIntervalForecast? Forecast);

/// <summary>
/// The figures of a team or the organisation: counts are epics and features (an item without one counts as its own unit); points are the
/// planned estimates; value is the units' business value. While an interval runs, "delivered" is "done so far" and scope change is not yet
/// measured (null with a reason).
/// </summary>
public sealed record MiIntervalFigures(
    int PlannedCount, int DeliveredCount, double PlannedPoints, double DeliveredPoints, double? PlannedValue, double? DeliveredValue,
    MiFigure PredictabilityCount, MiFigure PredictabilityPoints, MiFigure PredictabilityValue, MiFigure Velocity,
    MiFigure ScopeAddedPoints, MiFigure ScopeRemovedPoints, int? AddedCount, int? RemovedCount, IReadOnlyDictionary<SlipReason, int> SlipReasons);

/// <summary>An epic or feature (or unit item) the team planned and did not deliver, with its undelivered items and why each slipped.</summary>
public sealed record MiSlip(string Source, string Key, string Title, string? Url, WorkItemType Type, double PlannedPoints, double DeliveredPoints,
    IReadOnlyList<SlipReason> Reasons, IReadOnlyList<MiSlipItem> Items);

/// <summary>A planned item not done at the end: its reasons and, when blocked, the other teams' items it waited on (<c>source/key</c>).</summary>
public sealed record MiSlipItem(string Source, string Key, string Title, string? Url, double? PlannedPoints, IReadOnlyList<SlipReason> Reasons,
    IReadOnlyList<string> Blockers);

/// <summary>
/// During the interval: the Monte Carlo forecast (docs/figures.md, "Forecasts") of the team's planned work still open against the last day of
/// its last sprint of the interval; <see cref="AtRisk"/> when P85 is later (INTERVAL-AT-RISK).
/// </summary>
public sealed record MiIntervalForecast(int OpenItems, double RemainingPoints, int UnestimatedItems, DateOnly? P50, DateOnly? P85, bool AtRisk,
    string? Reason);

/// <summary>The definitions the intervals document and its figures carry.</summary>
public static class IntervalDefinitions
{
    /// <summary>The intervals document's reason when there is no interval.</summary>
    public const string NoIntervals =
        "no planning intervals are configured (Alignment:PlanningIntervals) or recorded in the trackers the sources read them from (Sources:N:Intervals)";
    public const string Document =
        "Per planning interval (Alignment:PlanningIntervals, or read from the trackers: Sources:N:Intervals) and team: the team's sprints of the " +
        "interval are those whose first day falls in it (Azure DevOps iteration nodes: the team's sprints under the node). " +
        "Planned = the team's stories, bugs and other backlog work that were open and in one of those sprints at the start of its first one " +
        "(the plan moment), with their estimates then, grouped by their nearest epic or feature. Delivered = planned items done when its last " +
        "sprint of the interval finished; an epic or feature is delivered when all of its planned items are. Slip reasons: removed; blocked by " +
        "another team (depends on another team's item not done at the end); carried over (in the team's last sprint of the interval at the end); " +
        "else unplanned work (the team took on work that entered its sprints after the plan); else unexplained — docs/figures.md";
    public const string PredictabilityCount = "Delivered ÷ planned epics and features (an item without one counts as its own unit); organisation: each unit once, delivered when every team that planned part of it delivered its part.";
    public const string PredictabilityPoints = "Planned points (estimates at the plan moment) of the planned items done at the end ÷ all planned points.";
    public const string PredictabilityValue = "Business value of the delivered epics and features ÷ business value of the planned ones (the value field at the plan moment; Sources:N:Fields:BusinessValue).";
    public const string Velocity = "Completed points of the team's sprints of the interval (sprint figures, docs/figures.md); organisation: the sum.";
    public const string ScopeAdded = "Points (estimates at the end) of unplanned work: items that entered the team's sprints of the interval after the plan moment.";
    public const string ScopeRemoved = "Planned points of planned items that were removed (status category removed, or deleted) by the end.";
}
