namespace Alignment.Domain.Intervals;

/// <summary>A configured planning interval (<c>Alignment:PlanningIntervals</c>): its first and last day, inclusive, as UTC calendar days.</summary>
public sealed record PlanningInterval(string Id, DateOnly Start, DateOnly End)
{
    /// <summary>Midnight UTC at the start of the first day.</summary>
    public DateTimeOffset StartAt => new(Start.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);

    /// <summary>Midnight UTC after the last day (exclusive).</summary>
    public DateTimeOffset EndAt => new(End.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);

    /// <summary>Whether a sprint that starts at <paramref name="start"/> belongs to the interval: its first (UTC) day falls within it.</summary>
    public bool Holds(DateTimeOffset? start) => start is { } s && DateOnly.FromDateTime(s.UtcDateTime) is var d && d >= Start && d <= End;

    /// <summary>The configured intervals that validate (the validator names the others), ordered by start.</summary>
    public static IReadOnlyList<PlanningInterval> From(AlignmentOptions o) =>
        o.PlanningIntervals.Where(p => p.StartDate is not null && p.EndDate is not null && !string.IsNullOrWhiteSpace(p.Id))
            .Select(p => new PlanningInterval(p.Id, p.StartDate!.Value, p.EndDate!.Value)).OrderBy(p => p.Start).ToList();

    /// <summary>A team's sprints of this interval (their first day within it), by start.</summary>
    public IReadOnlyList<T> SprintsOf<T>(IEnumerable<T> teamSprints, Func<T, DateTimeOffset?> start, Func<T, string> id) =>
        teamSprints.Where(s => Holds(start(s))).OrderBy(start).ThenBy(id, StringComparer.Ordinal).ToList();
}

/// <summary>
/// A planned item of a team's plan: a story, bug or other backlog work of the team that was open and in one of the team's sprints of the
/// interval at the plan moment, with its estimate then; <see cref="UnitKey"/> is its nearest epic or feature (or the item itself without one),
/// <see cref="UnitValue"/> that unit's business value then.
/// </summary>
public sealed record PlannedItem(string Source, string ExternalId, string Key, string UnitKey, WorkItemType UnitType, double? UnitValue, double? Points);

/// <summary>
/// What a team planned for an interval, recorded once (<c>analysis.interval_plans</c>): at <see cref="PlanAt"/>, the start of its first sprint
/// of the interval. <see cref="Basis"/> <c>observed</c> when the service knew the interval before that moment, else <c>reconstructed</c>
/// from the item history after the fact.
/// </summary>
public sealed record TeamPlan(string Interval, string Team, string Source, DateTimeOffset PlanAt, IReadOnlyList<string> SprintIds, string Basis,
    DateTimeOffset RecordedAt, IReadOnlyList<PlannedItem> Items);

/// <summary>
/// One item of a team's interval outcome: a planned item (done at the end or not, with the reasons it slipped) or an unplanned one (it entered
/// the team's sprints of the interval after the plan). <see cref="Points"/>: the estimate at the end. <see cref="Blockers"/>: other teams'
/// items it depends on that were not done at the end, as <c>source/key</c>.
/// </summary>
public sealed record OutcomeItem(string Source, string ExternalId, string Key, string UnitKey, bool Planned, bool Done, bool Removed, double? Points,
    IReadOnlyList<SlipReason> Reasons, IReadOnlyList<string> Blockers);

/// <summary>
/// What a team delivered, recorded once when the interval has ended for it (<c>analysis.interval_outcomes</c>): at <see cref="EndAt"/>, the
/// finish of its last sprint of the interval. <see cref="VelocityPoints"/>: the completed points of its sprints of the interval.
/// </summary>
public sealed record TeamOutcome(string Interval, string Team, DateTimeOffset EndAt, IReadOnlyList<string> SprintIds, double VelocityPoints,
    DateTimeOffset RecordedAt, IReadOnlyList<OutcomeItem> Items);

/// <summary>What the analysis needs of the planning intervals: the configured ones and every recorded plan and outcome.</summary>
public sealed record IntervalInput(IReadOnlyList<PlanningInterval> Intervals, IReadOnlyList<TeamPlan> Plans, IReadOnlyList<TeamOutcome> Outcomes);
