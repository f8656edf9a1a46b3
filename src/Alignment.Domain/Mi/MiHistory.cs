using Alignment.Domain.Sprints;

namespace Alignment.Domain.Mi;

/// <summary>A point of a figure's history (docs/figures.md, "History"): <see cref="Team"/> is empty for the organisation.</summary>
public sealed record MiHistoryPoint(string Figure, string Team, DateOnly Day, double? Value, string Basis);

/// <summary>A closed sprint of a team as the history reads it: its sprint figures, with the day (UTC) it ended.</summary>
public sealed record HistorySprint(string SprintId, string Name, DateOnly EndDay, double Committed, double Completed, double CarriedOver,
    double? CapacityDays);

/// <summary>
/// The figures a team's closed sprints give as of one of them: what the MI showed, or would have shown, on the day that sprint ended.
/// <see cref="TeamSprintFigures.AsOf"/> is the one computation behind the MI team figures (velocity P50 and trend, say/do), the history's
/// back-fill and the history's per-sprint series, so the three cannot disagree.
/// </summary>
public sealed record TeamSprintFigures(
    double? VelocityP50, double? VelocityTrend, double SayDoCommitted, double SayDoCompleted, double Committed, double? CapacityPoints,
    double CarryOverPoints)
{
    public double? SayDo => SayDoCommitted > 0 ? SayDoCompleted / SayDoCommitted : null;
    public double? CommitmentVsCapacity => CapacityPoints is > 0 ? Committed / CapacityPoints : null;

    /// <summary>
    /// The figures after <paramref name="closed"/>[<paramref name="last"/>] closed (oldest first): velocity over the last
    /// <see cref="MiWindows.VelocitySprints"/> up to it, say/do over the last <see cref="MiWindows.SayDoSprints"/>, its carried-over points,
    /// and its commitment against the capacity the sprints before it gave (P50 velocity scaled by its person-days ÷ their median).
    /// </summary>
    public static TeamSprintFigures AsOf(IReadOnlyList<HistorySprint> closed, int last, MiWindows windows)
    {
        var velocity = Window(closed, last, windows.VelocitySprints);
        var sayDo = Window(closed, last, windows.SayDoSprints);
        var stats = VelocityStatistics.Compute(velocity.Select(s => s.Completed).ToList(), windows.VelocitySprints);
        var sprint = closed[last];
        return new TeamSprintFigures(stats.P50, stats.Trend, sayDo.Sum(s => s.Committed), sayDo.Sum(s => s.Completed),
            sprint.Committed, CapacityFrom(Window(closed, last - 1, windows.VelocitySprints), sprint.CapacityDays), sprint.CarriedOver);
    }

    /// <summary>Capacity in points for a sprint of <paramref name="days"/> person-days after <paramref name="before"/> (null without velocity).</summary>
    public static double? CapacityFrom(IReadOnlyList<HistorySprint> before, double? days)
    {
        var p50 = Stats.Percentile(before.Select(s => s.Completed).ToList(), 0.5);
        if (p50 is null) return null;
        var normal = before.Where(s => s.CapacityDays is > 0).Select(s => s.CapacityDays!.Value).ToList();
        return days is { } d && Stats.Percentile(normal, 0.5) is { } median && median > 0 ? p50 * d / median : p50;
    }

    /// <summary>The last <paramref name="n"/> sprints up to and including index <paramref name="last"/> (empty when it is negative).</summary>
    public static IReadOnlyList<HistorySprint> Window(IReadOnlyList<HistorySprint> closed, int last, int n)
    {
        if (last < 0) return [];
        var from = Math.Max(0, last - n + 1);
        var list = new List<HistorySprint>(last - from + 1);
        for (var i = from; i <= last; i++) list.Add(closed[i]);
        return list;
    }
}

/// <summary>
/// The figures the history keeps (DESIGN §4.4 <c>GET /api/mi/history</c>), their definitions, and the back-fill from closed sprints.
/// A sprint-based figure can be reconstructed for days before the first analysis; the others start on the day they were first observed.
/// </summary>
public static class MiHistory
{
    public const string Observed = "observed", Backfilled = "backfilled";

    /// <summary>
    /// A figure of the history. <see cref="SprintBased"/>: reconstructed from closed sprints (back-filled, and available per sprint);
    /// <see cref="SprintOnly"/>: a sprint's own figure, only with <c>interval=sprint</c>.
    /// </summary>
    public sealed record Figure(string Name, bool SprintBased, string Definition, bool SprintOnly = false)
    {
        /// <summary>What the series says about its past, when it is neither sprint-based nor simply observed (the interval figure).</summary>
        public string? Note { get; init; }
    }

    public static readonly IReadOnlyList<Figure> Figures =
    [
        new("velocityP50", true, "Team: " + MiDefinitions.VelocityP50 + " Organisation: the sum of the teams' P50 velocities."),
        new("sayDo", true, "Completed ÷ committed points over the last closed sprints (Analysis:SayDoSprints) of the team, or of every team for the organisation."),
        new("commitmentVsCapacity", true, "Observed: committed points of the active sprint ÷ capacity in points (the capacity use; organisation: over the teams with both). Back-filled: each closed sprint's commitment at its start ÷ the capacity the sprints before it gave, dated on the day it ended."),
        new("carryOverPoints", true, "Points of the last closed sprint's items that were not done and stayed open into the next sprint (organisation: summed over teams)."),
        new("committedPoints", true, "Points in the sprint when it started (sprint figures, docs/figures.md).", SprintOnly: true),
        new("completedPoints", true, "Points of the sprint's items done by its end (sprint figures, docs/figures.md).", SprintOnly: true),
        new("openFindings", false, MiDefinitions.OpenFindings + " Observed from the first analysis on; not reconstructed."),
        new("openCriticalFindings", false, "Open or acknowledged findings of severity critical. Observed from the first analysis on; not reconstructed."),
        new("dependenciesAtRisk", false, MiDefinitions.AtRisk + " Team: dependencies at risk where the team is either side. Observed from the first analysis on; not reconstructed."),
        new("epicsLate", false, "Epics whose status is late (" + MiDefinitions.Epics + ") Team: epics the team owns. Observed from the first analysis on; not reconstructed."),
        new("predictability", false, IntervalHistory.Definition) { Note = IntervalHistory.Note },
    ];

    public static Figure? Find(string? name) => Figures.FirstOrDefault(f => string.Equals(f.Name, name, StringComparison.Ordinal));

    /// <summary>
    /// A team's back-filled points: the sprint-based figures on the day each closed sprint ended (the last sprint of a day wins), as
    /// <see cref="TeamSprintFigures.AsOf"/> computes them. <paramref name="closed"/> is oldest first.
    /// </summary>
    public static IEnumerable<MiHistoryPoint> BackfillTeam(string team, IReadOnlyList<HistorySprint> closed, MiWindows windows)
    {
        for (var i = 0; i < closed.Count; i++)
        {
            if (i + 1 < closed.Count && closed[i + 1].EndDay == closed[i].EndDay) continue;
            foreach (var p in Points(team, closed[i].EndDay, TeamSprintFigures.AsOf(closed, i, windows))) yield return p;
        }
    }

    /// <summary>
    /// The organisation's back-filled points on each day any team's sprint ended: per team, its figures as of its last sprint closed by that
    /// day, aggregated as the overview aggregates them.
    /// </summary>
    public static IEnumerable<MiHistoryPoint> BackfillOrganisation(IReadOnlyList<IReadOnlyList<HistorySprint>> teams, MiWindows windows)
    {
        var days = teams.SelectMany(t => t.Select(s => s.EndDay)).Distinct().Order();
        foreach (var day in days)
        {
            var asOf = new List<(TeamSprintFigures Figures, HistorySprint Sprint)>();
            foreach (var closed in teams)
            {
                var last = LastEndedBy(closed, day);
                if (last >= 0) asOf.Add((TeamSprintFigures.AsOf(closed, last, windows), closed[last]));
            }
            var velocity = asOf.Where(a => a.Figures.VelocityP50 is not null).ToList();
            double committed = asOf.Sum(a => a.Figures.SayDoCommitted), completed = asOf.Sum(a => a.Figures.SayDoCompleted);
            var withCapacity = asOf.Where(a => a.Figures.CapacityPoints is not null).ToList();
            double capacity = withCapacity.Sum(a => a.Figures.CapacityPoints!.Value);
            yield return new("velocityP50", "", day, velocity.Count == 0 ? null : velocity.Sum(a => a.Figures.VelocityP50!.Value), Backfilled);
            yield return new("sayDo", "", day, committed > 0 ? completed / committed : null, Backfilled);
            yield return new("commitmentVsCapacity", "", day, capacity > 0 ? withCapacity.Sum(a => a.Figures.Committed) / capacity : null, Backfilled);
            yield return new("carryOverPoints", "", day, asOf.Sum(a => a.Sprint.CarriedOver), Backfilled);
        }
    }

    private static int LastEndedBy(IReadOnlyList<HistorySprint> closed, DateOnly day)
    {
        var last = -1;
        for (var i = 0; i < closed.Count && closed[i].EndDay <= day; i++) last = i;
        return last;
    }

    private static IEnumerable<MiHistoryPoint> Points(string team, DateOnly day, TeamSprintFigures f)
    {
        yield return new("velocityP50", team, day, f.VelocityP50, Backfilled);
        yield return new("sayDo", team, day, f.SayDo, Backfilled);
        yield return new("commitmentVsCapacity", team, day, f.CommitmentVsCapacity, Backfilled);
        yield return new("carryOverPoints", team, day, f.CarryOverPoints, Backfilled);
    }
}

/// <summary>
/// A figure over time (<c>GET /api/mi/history</c>): per day (the stored points), per ISO week (the week's last point, dated on its Monday)
/// or per closed sprint of a team (computed from its sprint figures). <see cref="ObservedSince"/> is the first observed day; for a figure
/// that is not <see cref="Reconstructable"/> nothing exists before it.
/// </summary>
public sealed record MiHistorySeries(
    string Figure, string Definition, string? Team, string Interval, DateOnly From, DateOnly To, bool Reconstructable,
    DateOnly? ObservedSince, DateOnly? BackfilledThrough, string Note, IReadOnlyList<MiHistoryValue> Points);

/// <summary>One point: <see cref="At"/> the day (week: its Monday; sprint: the day it ended), <see cref="Sprint"/> the sprint's name.</summary>
public sealed record MiHistoryValue(DateOnly At, double? Value, string Basis, string? Sprint, string Explain);
