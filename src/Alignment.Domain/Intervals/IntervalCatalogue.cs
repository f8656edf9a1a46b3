namespace Alignment.Domain.Intervals;

/// <summary>
/// One planning interval as a team's tracker records it (docs/figures.md, "Intervals from the trackers"): an Azure DevOps iteration node above
/// the team's sprints (<see cref="SprintIds"/>: the team's sprints under it; the dates: their span) or a Jira fix version of the team's project
/// with a start and a release date (<see cref="SprintIds"/> null: the team's sprints are placed by date).
/// </summary>
public sealed record TrackerInterval(string Id, DateOnly Start, DateOnly End, IReadOnlyList<string>? SprintIds);

/// <summary>
/// The planning intervals the analysis works with: the configured ones for the teams whose source does not read intervals from its tracker,
/// and the ones each team's tracker records for the others. Intervals with the same id are one interval (a programme increment that Jira and
/// Azure DevOps teams both record): its dates are the span of every team's dates, while each team keeps its own placement. Pure.
/// </summary>
public static class IntervalCatalogue
{
    public static IReadOnlyList<PlanningInterval> Build(AlignmentOptions o, IEnumerable<(string Team, TrackerInterval Interval)> fromTrackers)
    {
        var configured = PlanningInterval.From(o);
        var trackerSources = o.Sources.Where(s => s.Intervals.FromTracker).Select(s => s.Id).ToHashSet(StringComparer.Ordinal);
        var tracked = fromTrackers.ToList();
        if (trackerSources.Count == 0 && tracked.Count == 0) return configured;

        var byId = new Dictionary<string, Dictionary<string, TeamPlacement>>(StringComparer.Ordinal);
        Dictionary<string, TeamPlacement> Of(string id) => byId.TryGetValue(id, out var d) ? d : byId[id] = new(StringComparer.Ordinal);
        var dateTeams = o.Teams.Where(t => !trackerSources.Contains(t.Source)).Select(t => t.Id).ToList();
        foreach (var iv in configured)
            foreach (var team in dateTeams)
                Of(iv.Id)[team] = new TeamPlacement(iv.Start, iv.End, null);
        var trackerTeams = o.Teams.Where(t => trackerSources.Contains(t.Source)).Select(t => t.Id).ToHashSet(StringComparer.Ordinal);
        foreach (var (team, iv) in tracked.Where(x => trackerTeams.Contains(x.Team)))
            Of(iv.Id)[team] = new TeamPlacement(iv.Start, iv.End, iv.SprintIds?.ToHashSet(StringComparer.Ordinal));

        return byId.Where(kv => kv.Value.Count > 0 || configured.Any(c => c.Id == kv.Key))
            .Select(kv => Interval(kv.Key, kv.Value, configured.FirstOrDefault(c => c.Id == kv.Key)))
            .OrderBy(i => i.Start).ThenBy(i => i.Id, StringComparer.Ordinal).ToList();
    }

    /// <summary>The interval's dates: the configured ones, widened to every team's placement.</summary>
    private static PlanningInterval Interval(string id, Dictionary<string, TeamPlacement> teams, PlanningInterval? configured)
    {
        var starts = teams.Values.Select(p => p.Start).Concat(configured is null ? [] : [configured.Start]);
        var ends = teams.Values.Select(p => p.End).Concat(configured is null ? [] : [configured.End]);
        return new PlanningInterval(id, starts.Min(), ends.Max()) { Teams = teams };
    }

    /// <summary>
    /// The intervals of an Azure DevOps team's iterations: each iteration whose path has a node between the project and the sprint is placed in
    /// the interval named after the node right above it (<c>Project\2026 Q4\Sprint 3</c> and <c>Project\Team A\2026 Q4\Sprint 3</c> both
    /// give <c>2026 Q4</c>, so teams with their own iteration trees share the interval); its dates are the span of the team's dated sprints
    /// under it. In a tree with team nodes right above the sprints (<c>Project\Team A\Sprint 3</c>) that node would be taken for an interval:
    /// <c>Sources:N:Intervals:Match</c> says which names are intervals.
    /// </summary>
    public static IReadOnlyList<TrackerInterval> FromIterationPaths(IEnumerable<(string Id, string? Path, DateTimeOffset? Start, DateTimeOffset? EndExclusive)> sprints) =>
        sprints.Where(s => s is { Start: not null, EndExclusive: not null } && NodeOf(s.Path) is not null)
            .GroupBy(s => NodeOf(s.Path)!, StringComparer.OrdinalIgnoreCase)
            .Select(g => new TrackerInterval(g.Key, Day(g.Min(s => s.Start!.Value)), Day(g.Max(s => s.EndExclusive!.Value)).AddDays(-1),
                g.Select(s => s.Id).Order(StringComparer.Ordinal).ToList()))
            .OrderBy(i => i.Start).ThenBy(i => i.Id, StringComparer.Ordinal).ToList();

    /// <summary>The name of the node right above the sprint (null when the sprint sits right under the project).</summary>
    public static string? NodeOf(string? path)
    {
        if (string.IsNullOrWhiteSpace(path)) return null;
        var parts = path.Split('\\', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return parts.Length < 3 ? null : parts[^2];
    }

    private static DateOnly Day(DateTimeOffset d) => DateOnly.FromDateTime(d.UtcDateTime);
}
