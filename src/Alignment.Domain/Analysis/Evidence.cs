namespace Alignment.Domain.Analysis;

/// <summary>The evidence fragments (<c>EvidenceRecords.cs</c>) the analyzers share, and the rounding and date text they use.</summary>
internal static class Evidence
{
    public static ItemEvidence Item(SnapshotIndex x, SnapshotItem i)
    {
        var sprint = i.SprintId is { } id ? x.Sprints.GetValueOrDefault((i.Source, id)) : null;
        return new ItemEvidence(i.Source, i.Key, i.Url, i.Title, i.Type, i.Team, i.StatusCategory, i.Points, sprint is null ? null : Sprint(sprint));
    }

    public static List<ItemEvidence> Items(SnapshotIndex x, IEnumerable<SnapshotItem> items) => items.Select(i => Item(x, i)).ToList();

    public static SprintEvidence Sprint(SnapshotSprint s) => new(s.Source, s.Id, s.Name, s.State, s.FirstDay, s.LastDay);

    public static VelocityEvidence Velocity(TeamVelocity v) => new(Round(v.P50), Round(v.Mean), v.Cv is { } cv ? Round(cv) : null,
        v.Sprints.Select(f => new VelocitySprintEvidence(f.SprintId, f.Completed, f.Committed, f.SayDo, f.Basis)).ToList());

    public static double Round(double v) => Math.Round(v, 2);
    public static string D(DateOnly? d) => d?.ToString("yyyy-MM-dd") ?? "?";
}
