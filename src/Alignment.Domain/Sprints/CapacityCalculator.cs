namespace Alignment.Domain.Sprints;

public sealed record CapacityMember(string Name, double? HoursPerDay);

public sealed record Absence(long Id, string TeamId, string Member, DateOnly From, DateOnly To, string? Note = null);

/// <summary>An Azure DevOps capacity row: a member's hours per day and the days available in the sprint.</summary>
public sealed record MemberCapacity(string Member, double HoursPerDay, double AvailableDays);

/// <summary>
/// Capacity in available person-days (one person-day = 8 focused hours), so teams on either tracker compare.
/// Azure DevOps: Σ available days × hours per day ÷ 8 (available days are already the team's working days less member
/// and team days off). Jira: Σ over configured members of (working days in the sprint − the member's absences on them)
/// × hours per day ÷ 8 (8 when not set) × the focus factor. Pure.
/// </summary>
public static class CapacityCalculator
{
    public const double HoursPerPersonDay = 8.0;
    public static readonly IReadOnlyList<DayOfWeek> DefaultWorkingDays =
        [DayOfWeek.Monday, DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday, DayOfWeek.Friday];

    public static double? AzureDevOps(IReadOnlyCollection<MemberCapacity> rows) =>
        rows.Count == 0 ? null : rows.Sum(r => r.AvailableDays * r.HoursPerDay / HoursPerPersonDay);

    /// <summary>The dates of the sprint [start, end) that are working days.</summary>
    public static IEnumerable<DateOnly> WorkingDays(DateTimeOffset start, DateTimeOffset end, IReadOnlyCollection<DayOfWeek> workingDays)
    {
        var first = DateOnly.FromDateTime(start.UtcDateTime);
        var endDay = DateOnly.FromDateTime(end.UtcDateTime);
        if (end.UtcDateTime.TimeOfDay > TimeSpan.Zero) endDay = endDay.AddDays(1); // a partial last day counts
        for (var d = first; d < endDay; d = d.AddDays(1))
            if (workingDays.Contains(d.DayOfWeek)) yield return d;
    }

    public static double? Jira(IReadOnlyCollection<CapacityMember> members, double focusFactor, IReadOnlyCollection<DayOfWeek>? workingDays,
        DateTimeOffset? start, DateTimeOffset? end, IReadOnlyCollection<Absence> absences)
    {
        if (members.Count == 0 || start is null || end is null) return null;
        var days = WorkingDays(start.Value, end.Value, workingDays is { Count: > 0 } ? workingDays : DefaultWorkingDays).ToList();
        double total = 0;
        foreach (var m in members)
        {
            int available = days.Count(d => !absences.Any(a =>
                string.Equals(a.Member, m.Name, StringComparison.OrdinalIgnoreCase) && a.From <= d && d <= a.To));
            total += available * (m.HoursPerDay ?? HoursPerPersonDay) / HoursPerPersonDay * focusFactor;
        }
        return total;
    }
}
