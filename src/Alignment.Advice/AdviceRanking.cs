namespace Alignment.Advice;

/// <summary>What a line of advice's expected impact is computed from.</summary>
/// <param name="Severity">The highest severity of the findings behind the line (info, warning, critical).</param>
/// <param name="TeamsWaiting">Other teams whose planned work waits for this.</param>
/// <param name="ItemsWaiting">Their items that wait.</param>
/// <param name="NeededBy">The earliest date the waiting work (or the item itself) is planned to start.</param>
/// <param name="EpicTarget">An epic's target date, for epics at risk.</param>
/// <param name="EpicDaysLate">How many days the epic's P85 forecast is after its target.</param>
/// <param name="InProgress">The item is already being worked on (stuck work costs more than untidy backlog).</param>
public sealed record ImpactFacts(Severity Severity, int TeamsWaiting = 0, int ItemsWaiting = 0, DateOnly? NeededBy = null,
    DateOnly? EpicTarget = null, int? EpicDaysLate = null, bool InProgress = false);

/// <summary>
/// Expected impact of acting on a line of advice: a pure function of who waits, how soon, how severe, and how close an
/// epic's target is. Higher is more important. The weights favour work other teams wait for over tidying.
/// </summary>
public static class AdviceRanking
{
    /// <summary>Urgency fades out linearly over this horizon (days).</summary>
    public const int UrgencyHorizonDays = 56;
    public const int EpicHorizonDays = 90;

    public static double Impact(ImpactFacts f, DateOnly today)
    {
        var severity = f.Severity switch { Severity.Critical => 30.0, Severity.Warning => 15.0, _ => 5.0 };
        var teams = 20.0 * Math.Min(f.TeamsWaiting, 5);
        var items = 5.0 * Math.Min(f.ItemsWaiting, 10);
        var urgency = f.NeededBy is { } by ? 30.0 * Math.Clamp(1 - (by.DayNumber - today.DayNumber) / (double)UrgencyHorizonDays, 0, 1) : 0;
        var epic = 0.0;
        if (f.EpicTarget is { } target)
            epic += 20.0 * Math.Clamp(1 - (target.DayNumber - today.DayNumber) / (double)EpicHorizonDays, 0, 1);
        if (f.EpicDaysLate is { } late && late > 0) epic += Math.Min(20.0, late / 7.0 * 2);
        var started = f.InProgress ? 3.0 : 0;
        return Math.Round(severity + teams + items + urgency + epic + started, 2);
    }
}

/// <summary>The items to move out of an over-committed sprint, and where that leaves it.</summary>
public sealed record MoveOutPlan(IReadOnlyList<SprintItem> Items, double PointsMoved, double Remaining, double Target, bool ReachesTarget);

/// <summary>
/// Which items to move out of an over-committed sprint: the lowest-ranked estimated items first, skipping items that
/// other teams' work depends on, until the commitment is at or under the target (P50 velocity × capacity).
/// </summary>
public static class MoveOutPlanner
{
    public static MoveOutPlan Plan(IReadOnlyList<SprintItem> items, double committed, double target)
    {
        var chosen = new List<SprintItem>();
        var remaining = committed;
        var candidates = items.Where(i => i.Points is > 0 && !i.BlocksOtherTeams)
            .OrderByDescending(i => i.Rank ?? "\uffff", StringComparer.Ordinal).ThenByDescending(i => i.Key, StringComparer.Ordinal);
        foreach (var i in candidates)
        {
            if (remaining <= target) break;
            chosen.Add(i);
            remaining -= i.Points!.Value;
        }
        return new MoveOutPlan(chosen, committed - remaining, remaining, target, remaining <= target);
    }
}
