namespace Alignment.Domain.Intervals;

/// <summary>
/// A planning interval: its first and last day, inclusive, as UTC calendar days, and which teams it applies to. Configured ones
/// (<c>Alignment:PlanningIntervals</c>) apply to every team whose source does not read intervals from its tracker; intervals read from a
/// tracker (<see cref="IntervalCatalogue"/>) list their teams with each one's placement. <see cref="Teams"/> null = every team, by date.
/// </summary>
public sealed record PlanningInterval(string Id, DateOnly Start, DateOnly End)
{
    /// <summary>The teams the interval applies to and how each one's sprints are placed in it; null = every team, by the interval's dates.</summary>
    public IReadOnlyDictionary<string, TeamPlacement>? Teams { get; init; }

    /// <summary>Midnight UTC at the start of the first day.</summary>
    public DateTimeOffset StartAt => new(Start.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);

    /// <summary>Midnight UTC after the last day (exclusive).</summary>
    public DateTimeOffset EndAt => new(End.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);

    /// <summary>Whether a sprint that starts at <paramref name="start"/> belongs to the interval by date: its first (UTC) day falls within it.</summary>
    public bool Holds(DateTimeOffset? start) => Holds(start, Start, End);

    private static bool Holds(DateTimeOffset? start, DateOnly first, DateOnly last) =>
        start is { } s && DateOnly.FromDateTime(s.UtcDateTime) is var d && d >= first && d <= last;

    /// <summary>Midnight UTC after the team's last day of the interval (its placement's, else the interval's).</summary>
    public DateTimeOffset EndAtFor(string team) =>
        Teams?.GetValueOrDefault(team) is { } p ? new(p.End.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero) : EndAt;

    /// <summary>Whether the interval applies to the team.</summary>
    public bool Includes(string team) => Teams is null || Teams.ContainsKey(team);

    /// <summary>The configured intervals that validate (the validator names the others), ordered by start.</summary>
    public static IReadOnlyList<PlanningInterval> From(AlignmentOptions o) =>
        o.PlanningIntervals.Where(p => p.StartDate is not null && p.EndDate is not null && !string.IsNullOrWhiteSpace(p.Id))
            .Select(p => new PlanningInterval(p.Id, p.StartDate!.Value, p.EndDate!.Value)).OrderBy(p => p.Start).ToList();

    /// <summary>
    /// A team's sprints of this interval, by start: none when the interval does not apply to the team; those the tracker placed in it
    /// (Azure DevOps iteration nodes); else those whose first day falls within the team's dates of it.
    /// </summary>
    public IReadOnlyList<T> SprintsOf<T>(string team, IEnumerable<T> teamSprints, Func<T, DateTimeOffset?> start, Func<T, string> id)
    {
        if (!Includes(team)) return [];
        var placement = Teams?.GetValueOrDefault(team);
        Func<T, bool> member = placement switch
        {
            { SprintIds: { } ids } => s => ids.Contains(id(s)),
            { } p => s => Holds(start(s), p.Start, p.End),
            _ => s => Holds(start(s)),
        };
        return teamSprints.Where(member).OrderBy(start).ThenBy(id, StringComparer.Ordinal).ToList();
    }
}

/// <summary>How a team's sprints are placed in an interval: by the team's dates of it, or (when <see cref="SprintIds"/> is set) as the tracker
/// placed them.</summary>
public sealed record TeamPlacement(DateOnly Start, DateOnly End, IReadOnlySet<string>? SprintIds);

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
