using System.Text.Json;
using Dapper;
using Mediator;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Alignment.Store.Mi;

/// <summary>
/// The rows behind one MI figure: of a team (<see cref="Team"/> set: its sprints, active-sprint items, capacities or findings)
/// or of the organisation (<see cref="Team"/> null: each team's contribution, with its own explain link). Null when the team
/// or the figure is unknown.
/// </summary>
public sealed record ExplainMiFigureQuery(string? Team, string Figure) : IQuery<MiExplanation?>;

internal sealed class ExplainMiFigureHandler(NpgsqlDataSource db, MiSnapshots snapshots) : IQueryHandler<ExplainMiFigureQuery, MiExplanation?>
{
    public static readonly string[] TeamFigures =
        ["velocityP50", "velocityTrend", "sayDo", "committedPoints", "capacityDays", "capacityPoints", "capacityUse", "openFindings"];
    public static readonly string[] OrgFigures =
        ["committedPoints", "capacityPoints", "commitmentVsCapacity", "capacityDays", "sayDo", "velocityTrend", "openFindings",
         "openDependencies", "dependenciesAtRisk", "epics", "dataFreshness"];

    public async ValueTask<MiExplanation?> Handle(ExplainMiFigureQuery q, CancellationToken ct)
    {
        var teams = await snapshots.GetAsync<MiTeams>(MiSnapshots.Teams, ct);
        return q.Team is null ? await OrgAsync(snapshots, teams, q.Figure, ct) : await TeamAsync(teams, q.Team, q.Figure, ct);
    }

    private async Task<MiExplanation?> TeamAsync(MiTeams teams, string teamId, string figure, CancellationToken ct)
    {
        var team = teams.Teams.FirstOrDefault(t => t.Id == teamId);
        if (team is null || !TeamFigures.Contains(figure)) return null;
        var f = Figure(team, figure);
        IReadOnlyList<IReadOnlyDictionary<string, object?>> rows;
        await using var conn = await db.OpenConnectionAsync(ct);
        switch (figure)
        {
            case "velocityP50" or "velocityTrend" or "sayDo":
                rows = team.Sprints.Where(s => s.UsedFor.Contains(figure)).Select(s => Row(
                    ("sprint", s.Id), ("name", s.Name), ("state", s.State), ("start", s.Start), ("end", s.End), ("basis", s.Basis),
                    ("committedPoints", s.Committed), ("completedPoints", s.Completed), ("sayDo", s.SayDo),
                    ("explain", $"/api/teams/{Uri.EscapeDataString(team.Id)}/retrospective?sprint={Uri.EscapeDataString(s.Id)}"))).ToList();
                break;
            case "capacityDays":
                rows = (await conn.QueryAsync<(string Member, double HoursPerDay, double AvailableDays, int DaysOff, string Sprint)>(new CommandDefinition("""
                    SELECT c.member, c.hours_per_day, c.available_days, c.days_off, s.name
                    FROM core.team_sprints ts JOIN core.sprints s ON s.source_id = ts.source_id AND s.external_id = ts.sprint_id
                    JOIN core.capacities c ON c.team_id = ts.team_id AND c.source_id = s.source_id AND c.sprint_id = s.external_id
                    WHERE ts.team_id = @teamId AND s.state = 'active' AND s.name = @sprint
                    ORDER BY c.member
                    """, new { teamId, sprint = team.ActiveSprint }, cancellationToken: ct)))
                    .Select(r => Row(("sprint", r.Sprint), ("member", r.Member), ("hoursPerDay", r.HoursPerDay),
                        ("availableDays", r.AvailableDays), ("daysOff", r.DaysOff))).ToList();
                break;
            case "openFindings":
                rows = await FindingsAsync(conn, teamId, ct);
                break;
            default: // committedPoints, capacityPoints, capacityUse: the items planned in the active sprint, plus the velocity sprints
                var items = (await conn.QueryAsync<(string Source, string Key, string Type, string Title, string Status, double? Points, string Url)>(
                    new CommandDefinition("""
                    SELECT w.source_id, w.key, w.type, w.title, w.status, w.story_points, w.url
                    FROM core.team_sprints ts JOIN core.sprints s ON s.source_id = ts.source_id AND s.external_id = ts.sprint_id
                    JOIN core.sprint_items si ON si.source_id = s.source_id AND si.sprint_id = s.external_id
                    JOIN core.work_items w ON w.source_id = si.source_id AND w.external_id = si.item_external_id
                    WHERE ts.team_id = @teamId AND w.team_id = @teamId AND s.state = 'active' AND s.name = @sprint
                      AND NOT w.deleted AND w.status_category <> 'removed'
                    ORDER BY w.rank NULLS LAST, w.key
                    """, new { teamId, sprint = team.ActiveSprint }, cancellationToken: ct)))
                    .Select(r => Row(("kind", "item"), ("source", r.Source), ("key", r.Key), ("type", r.Type), ("title", r.Title),
                        ("status", r.Status), ("points", r.Points), ("url", r.Url))).ToList();
                if (figure != "committedPoints")
                    items.AddRange(team.Sprints.Where(s => s.UsedFor.Contains("velocityP50")).Select(s => Row(("kind", "velocitySprint"),
                        ("sprint", s.Id), ("name", s.Name), ("completedPoints", s.Completed), ("capacityDays", s.CapacityDays))));
                rows = items;
                break;
        }
        return new MiExplanation(figure, f.Definition, f.Value, f.Reason, rows);
    }

    private async Task<MiExplanation?> OrgAsync(MiSnapshots snapshots, MiTeams teams, string figure, CancellationToken ct)
    {
        if (!OrgFigures.Contains(figure)) return null;
        if (figure == "dataFreshness")
        {
            // Each source's teams (and source-wide part) as assessed now, the same as GET /api/sources without the item lists.
            var (sources, now) = await snapshots.FreshnessAsync(ct);
            var freshness = MiBuilder.DataFreshness(sources, now);
            return new MiExplanation(figure, freshness.Definition, freshness, null, sources.SelectMany(s => s.Parts.Select(p => Row(
                ("source", p.Source), ("team", p.IsSourceWide ? null : p.Team), ("status", p.Status), ("lastSuccess", p.LastSuccess),
                ("lastAttempt", p.LastAttempt), ("stale", p.Stale), ("reason", p.Reason), ("quarantinedItems", p.QuarantinedItems),
                ("error", p.Error), ("cron", s.Cron), ("intervalMinutes", s.Interval?.TotalMinutes))))
                .ToList());
        }
        var overview = await snapshots.GetAsync<MiOverview>(MiSnapshots.Overview, ct);
        switch (figure)
        {
            case "epics":
            {
                var epics = await snapshots.GetAsync<MiEpics>(MiSnapshots.Epics, ct);
                return new MiExplanation(figure, overview.Epics.Definition, overview.Epics, null, epics.Epics.Select(e => Row(
                    ("source", e.Source), ("key", e.Key), ("title", e.Title), ("status", e.Status), ("reason", e.StatusReason),
                    ("target", e.Target), ("explain", e.Explain))).ToList());
            }
            case "openDependencies" or "dependenciesAtRisk":
            {
                var deps = await snapshots.GetAsync<MiDependencies>(MiSnapshots.Dependencies, ct);
                var f = figure == "openDependencies" ? overview.OpenDependencies : overview.DependenciesAtRisk;
                return new MiExplanation(figure, f.Definition, f.Value, f.Reason, deps.Edges
                    .Where(e => figure == "openDependencies" || e.IsAtRisk)
                    .Select(e => Row(("from", e.From), ("to", e.To), ("dependencies", e.Dependencies), ("atRisk", e.AtRisk), ("explain", e.Explain))).ToList());
            }
            case "openFindings":
                await using (var conn = await db.OpenConnectionAsync(ct))
                    return new MiExplanation(figure, overview.OpenFindings.Definition, overview.OpenFindings.Total, overview.OpenFindings.Reason,
                        await FindingsAsync(conn, null, ct));
        }
        var org = figure switch
        {
            "committedPoints" => overview.CommittedPoints, "capacityPoints" => overview.CapacityPoints,
            "commitmentVsCapacity" => overview.CommitmentVsCapacity, "capacityDays" => overview.CapacityDays,
            "sayDo" => overview.SayDo, _ => overview.VelocityTrend,
        };
        var teamFigure = figure == "commitmentVsCapacity" ? "capacityUse" : figure;
        return new MiExplanation(figure, org.Definition, org.Value, org.Reason, teams.Teams.Select(t =>
        {
            var tf = Figure(t, teamFigure);
            return Row(("team", t.Id), ("name", t.Name), ("value", tf.Value), ("reason", tf.Reason), ("explain", tf.Explain));
        }).ToList());
    }

    private static MiFigure Figure(MiTeam t, string figure) => figure switch
    {
        "velocityP50" => t.VelocityP50, "velocityTrend" => t.VelocityTrend, "sayDo" => t.SayDo, "committedPoints" => t.CommittedPoints,
        "capacityDays" => t.CapacityDays, "capacityPoints" => t.CapacityPoints, "capacityUse" => t.CapacityUse, _ => t.OpenFindings,
    };

    /// <summary>Open findings as stored (whatever columns the analysis keeps), of one team or all.</summary>
    private static async Task<IReadOnlyList<IReadOnlyDictionary<string, object?>>> FindingsAsync(NpgsqlConnection conn, string? team, CancellationToken ct)
    {
        var columns = (await conn.QueryAsync<string>(new CommandDefinition("""
            SELECT column_name FROM information_schema.columns WHERE table_schema = 'analysis' AND table_name = 'findings'
            """, cancellationToken: ct))).ToHashSet();
        var teamColumn = columns.Contains("team_id") ? "team_id" : columns.Contains("team") ? "team" : null;
        if (teamColumn is null || !columns.Contains("status")) return [];
        var json = await conn.QueryAsync<string>(new CommandDefinition(
            $"SELECT to_jsonb(f)::text FROM analysis.findings f WHERE f.status IN ('open', 'acknowledged') AND (@team::text IS NULL OR f.{teamColumn}::text = @team)",
            new { team }, cancellationToken: ct));
        return json.Select(j => (IReadOnlyDictionary<string, object?>)JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(j)!
            .ToDictionary(kv => kv.Key, kv => (object?)kv.Value)).ToList();
    }

    internal static IReadOnlyDictionary<string, object?> Row(params (string Key, object? Value)[] fields)
    {
        var d = new Dictionary<string, object?>(fields.Length);
        foreach (var (k, v) in fields) d[k] = v;
        return d;
    }
}
