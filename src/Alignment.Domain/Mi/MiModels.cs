namespace Alignment.Domain.Mi;

/// <summary>
/// One MI figure: its value (null when it cannot be computed, with <see cref="Reason"/> saying why), the definition it
/// used, and the link to the sprints and items behind it.
/// </summary>
public sealed record MiFigure(double? Value, string Definition, string Explain, string? Reason = null)
{
    public static MiFigure Of(double? value, string definition, string explain, string reasonWhenNull) =>
        new(value, definition, explain, value is null ? reasonWhenNull : null);
}

/// <summary>A date figure (epic forecasts); null with a reason when there is no forecast.</summary>
public sealed record MiDateFigure(DateOnly? Value, string Definition, string Explain, string? Reason = null);

/// <summary>Organisation totals (docs/figures.md).</summary>
public sealed record MiOverview(
    DateTimeOffset ComputedAt,
    int Teams,
    int ActiveSprints,
    MiFigure CommittedPoints,
    MiFigure CapacityPoints,
    MiFigure CommitmentVsCapacity,
    MiFigure CapacityDays,
    MiFigure SayDo,
    MiFigure VelocityTrend,
    IReadOnlyList<MiVelocityPoint> Velocity,
    MiFindingCounts OpenFindings,
    MiFigure OpenDependencies,
    MiFigure DependenciesAtRisk,
    MiEpicCounts Epics,
    MiDataFreshness? DataFreshness = null);

/// <summary>
/// Whether the figures rest on recent data (docs/reliability.md): each configured source's sync status, oldest last success, quarantined items and
/// stale teams, and how many sources and teams are stale. Computed when read (staleness moves with the clock, and a failed sync does not
/// refresh the stored MI).
/// </summary>
public sealed record MiDataFreshness(
    DateTimeOffset CheckedAt, int StaleSources, int StaleTeams, IReadOnlyList<MiSourceFreshness> Sources, string Definition, string Explain);

/// <summary>A source in <see cref="MiDataFreshness"/>: the aggregates over its teams, the stale ones by id, and why in words.</summary>
public sealed record MiSourceFreshness(
    string Source, string Kind, string Status, DateTimeOffset? LastSuccess, DateTimeOffset? LastAttempt, bool Stale, int QuarantinedItems,
    IReadOnlyList<string> StaleTeams, string? Reason);

/// <summary>Sum over teams of their n-th last closed sprint (<see cref="Sprint"/> 0 = the last one, -1 the one before...).</summary>
public sealed record MiVelocityPoint(int Sprint, double Committed, double Completed, int Teams);

/// <summary>Open findings by severity and by rule (rule → severity → count). Null counts with a reason when findings are not available.</summary>
public sealed record MiFindingCounts(
    int? Total, IReadOnlyDictionary<Severity, int>? BySeverity, IReadOnlyDictionary<RuleId, IReadOnlyDictionary<Severity, int>>? ByRule,
    string Definition, string Explain, string? Reason);

public sealed record MiEpicCounts(int OnTrack, int AtRisk, int Late, int Done, int NoTarget, int Unknown, string Definition, string Explain);

/// <summary>Per-team MI.</summary>
public sealed record MiTeam(
    string Id, string Name, string Source, string SourceKind,
    string? ActiveSprint,
    MiFigure VelocityP50,
    MiFigure VelocityTrend,
    MiFigure SayDo,
    MiFigure CommittedPoints,
    MiFigure CapacityDays,
    MiFigure CapacityPoints,
    MiFigure CapacityUse,
    MiFigure OpenFindings,
    IReadOnlyDictionary<Severity, int>? OpenFindingsBySeverity,
    IReadOnlyList<MiSprint> Sprints);

/// <summary>
/// A closed (or the active) sprint of a team as the figures used it; <see cref="UsedFor"/> names the figures it feeds.
/// <see cref="Basis"/>: observed / reconstructed (docs/figures.md), or <c>current</c> for an active sprint without figures yet (its current scope).
/// </summary>
public sealed record MiSprint(
    string Id, string Name, SprintState State, DateTimeOffset? Start, DateTimeOffset? End, string Basis,
    double Committed, double Completed, double? SayDo, double? CapacityDays, IReadOnlyList<string> UsedFor);

public sealed record MiTeams(DateTimeOffset ComputedAt, IReadOnlyList<MiTeam> Teams);

/// <summary>An epic across teams and trackers.</summary>
public sealed record MiEpic(
    string Source, string Key, string Title, string Url, StatusCategory StatusCategory, string? Team, DateOnly? Target,
    double DonePoints, double TotalPoints, int Items, int UnestimatedItems,
    IReadOnlyList<MiEpicPart> Teams,
    MiDateFigure ForecastP50, MiDateFigure ForecastP85,
    EpicStatus Status, string StatusReason, string Explain);

public sealed record MiEpicPart(string Team, double DonePoints, double TotalPoints, int Items, int DoneItems);

public sealed record MiEpics(DateTimeOffset ComputedAt, IReadOnlyList<MiEpic> Epics);

/// <summary>The dependency graph between teams: <see cref="MiEdge.From"/> depends on <see cref="MiEdge.To"/>.</summary>
public sealed record MiDependencies(DateTimeOffset ComputedAt, string Definition, IReadOnlyList<MiNode> Nodes, IReadOnlyList<MiEdge> Edges);

public sealed record MiNode(string Team, string Name, string Source, int DependsOn, int Blocks, int AtRisk);

public sealed record MiEdge(string From, string To, int Dependencies, double Points, int AtRisk, bool IsAtRisk, string Explain);

/// <summary>What a figure was computed from.</summary>
public sealed record MiExplanation(string Figure, string Definition, object? Value, string? Reason, IReadOnlyList<IReadOnlyDictionary<string, object?>> Rows);

/// <summary>
/// A P50/P85 completion forecast of an epic (docs/rules.md), read from <c>analysis.epic_forecasts</c>; null dates with a reason
/// when the analysis could not forecast it.
/// </summary>
public sealed record MiEpicForecast(DateOnly? P50, DateOnly? P85, string? Reason);

/// <summary>
/// The windows of the MI figures (<c>Analysis</c> options): velocity P50, trend, capacity and the organisation's velocity series
/// over the last <see cref="VelocitySprints"/> closed sprints, say/do over the last <see cref="SayDoSprints"/>.
/// </summary>
public sealed record MiWindows(int VelocitySprints, int SayDoSprints)
{
    public static MiWindows Of(AnalysisOptions a) => new(Math.Max(1, a.VelocitySprints), Math.Max(1, a.SayDoSprints));
}

/// <summary>The definitions every figure carries (one place, so the API, CSV and dashboard say the same).</summary>
public static class MiDefinitions
{
    public const string VelocityP50 = "Median (P50, linear interpolation) of completed points over the team's last closed sprints (Analysis:VelocitySprints, default 6); completed = points of items in the sprint done by its end, as in the Jira velocity chart.";
    public const string VelocityTrend = "Least-squares slope of completed points per sprint over the same closed sprints (points per sprint; positive = rising).";
    public static string SayDo(int sprints) =>
        $"Completed ÷ committed points summed over the team's last {sprints} closed sprints (Analysis:SayDoSprints; committed = points in the sprint when it started).";
    public const string CommittedPoints = "Points of the team's items currently planned in its active sprint (removed items excluded; unestimated items count 0).";
    public const string CapacityDays = "Available person-days of the team in its active sprint (sum over members, days off deducted).";
    public const string CapacityPoints = "P50 velocity scaled by capacity: P50 × (active sprint person-days ÷ median person-days of the closed sprints used for velocity); unscaled P50 when person-days are unknown.";
    public const string CapacityUse = "Committed points of the active sprint ÷ capacity in points (1.0 = exactly at capacity; above 1.1 is over-committed).";
    public const string OpenFindings = "Findings of the last analysis that are open or acknowledged (not resolved, not suppressed) and belong to this team (docs/rules.md).";
    public const string OrgCommitted = "Sum over teams of the points planned in their active sprints.";
    public const string OrgCapacityPoints = "Sum over teams with an active sprint and a P50 velocity of their capacity in points.";
    public const string OrgCommitmentVsCapacity = "Committed points ÷ capacity points, over the teams that have both.";
    public const string OrgCapacityDays = "Sum of available person-days in the teams' active sprints.";
    public static string OrgSayDo(int sprints) => $"Completed ÷ committed points summed over every team's last {sprints} closed sprints (Analysis:SayDoSprints).";
    public const string OrgVelocityTrend = "Sum of the teams' velocity trends (points per sprint); the series adds up each team's n-th last closed sprint.";
    public const string OrgFindings = "Findings that are open or acknowledged (not resolved, not suppressed), by rule and severity.";
    public const string Dependencies = "Open dependencies between items of different teams (neither item done or removed); a link reported by both items counts once. Edge From depends on To.";
    public const string AtRisk = "An open cross-team dependency whose dependent item is planned in an active or future sprint while the blocker is in no active or future sprint (DEP-UNSCHEDULED), or the blocker's sprint ends on or after the day the dependent's sprint starts (DEP-LATE, overlapping sprints included).";
    public const string Epics = "Epic status: done when the epic is done; with a forecast, onTrack when P85 ≤ target, atRisk when P50 ≤ target < P85, late when P50 > target; without a forecast, late when the target date has passed, unknown otherwise; noTarget without a due date.";
    public const string ForecastP50 = "Date by which the epic's remaining work completes in 50 % of Monte Carlo trials over each team's own last sprints.";
    public const string ForecastP85 = "Date by which the epic's remaining work completes in 85 % of Monte Carlo trials.";
    public const string DataFreshness = Freshness.SyncFreshness.Definition;
    public const string EpicPoints = "Points of the epic's descendant stories, bugs and tasks (through features), per team; done = in the done category.";
}
