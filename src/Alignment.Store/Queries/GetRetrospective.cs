using Dapper;
using Mediator;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Alignment.Store.Queries;

public sealed record RetroItemDto(string Key, string Title, string StatusCategory, double? StoryPoints, bool Completed, int TimesCarriedOver, string Url);

/// <summary>A dependency of one of the sprint's items on another team's item that was not done by the sprint's end.</summary>
public sealed record BlockerDto(string ItemKey, string BlockerSource, string BlockerKey, string? BlockerTeam, string? BlockerTitle,
    string? BlockerStatusAtEnd);

public sealed record RaisedFindingDto(long Id, string Rule, string Severity, string Status, string Title, DateTimeOffset FirstSeen);

public sealed record SayDoPointDto(string SprintId, string Name, DateTimeOffset? Start, double CommittedPoints, double CompletedPoints, double? SayDo);

/// <summary>
/// The retrospective pack of one sprint: its figures (committed / completed / added / removed / carried over, say/do,
/// basis, capacity), the items carried over, the scope added after the start, the items removed, the blockers that hit,
/// the findings first raised during the sprint for the team (owning or related), and the say/do trend over the team's
/// last closed sprints up to this one (as many as <c>Analysis:VelocitySprints</c>: a series per sprint, like the velocity).
/// </summary>
public sealed record RetrospectivePack(SprintDto Sprint, IReadOnlyList<RetroItemDto> CarriedOver, IReadOnlyList<RetroItemDto> Added,
    IReadOnlyList<RetroItemDto> Removed, IReadOnlyList<BlockerDto> BlockersThatHit, IReadOnlyList<RaisedFindingDto> FindingsRaised,
    IReadOnlyList<SayDoPointDto> SayDoTrend);

/// <summary><c>TeamVisible</c> false: the team is unknown or not visible; <c>Pack</c> null: no such sprint (or no closed sprint yet).</summary>
public sealed record RetrospectiveAnswer(bool TeamVisible, RetrospectivePack? Pack);

/// <summary>
/// <c>SprintId</c>: the sprint's id or name; null = the team's last closed sprint. <c>TrendSprints</c> null:
/// <c>Analysis:VelocitySprints</c>.
/// </summary>
public sealed record GetRetrospectiveQuery(Viewer Viewer, string TeamId, string? SprintId, int? TrendSprints = null) : IQuery<RetrospectiveAnswer>;

internal sealed class GetRetrospectiveHandler(NpgsqlDataSource db, IOptions<AlignmentOptions> options)
    : IQueryHandler<GetRetrospectiveQuery, RetrospectiveAnswer>
{
    public async ValueTask<RetrospectiveAnswer> Handle(GetRetrospectiveQuery q, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        if (!await TeamAccess.CanSeeAsync(conn, q.Viewer, q.TeamId, ct)) return new(false, null);
        var all = await ListSprintsHandler.QueryAsync(conn, q.TeamId, null, ct); // newest first
        var sprint = q.SprintId is null
            ? all.Find(s => s.State == SprintState.Closed)
            : all.Find(s => s.Id == q.SprintId) ?? all.Find(s => string.Equals(s.Name, q.SprintId, StringComparison.OrdinalIgnoreCase));
        if (sprint is null) return new(true, null);
        var sourceId = await conn.ExecuteScalarAsync<string>(new CommandDefinition("SELECT source_id FROM core.teams WHERE id = @TeamId", new { q.TeamId }, cancellationToken: ct));

        var items = (await conn.QueryAsync<OutcomeRow>(new CommandDefinition("""
            SELECT w.key, w.title, w.status_category, w.url, o.points, o.committed, o.added, o.removed, o.completed, o.carried_over, o.carry_count
            FROM analysis.sprint_item_outcomes o
            JOIN core.work_items w ON w.source_id = o.source_id AND w.external_id = o.item_external_id
            WHERE o.team_id = @TeamId AND o.source_id = @sourceId AND o.sprint_id = @SprintId
            ORDER BY w.rank NULLS LAST, w.key
            """, new { q.TeamId, sourceId, SprintId = sprint.Id }, cancellationToken: ct))).ToList();
        RetroItemDto Dto(OutcomeRow r, int carried) => new(r.Key, r.Title, r.StatusCategory, r.Points, r.Completed, carried, r.Url);

        var finish = sprint.Completed ?? sprint.End;
        var blockers = await BlockersAsync(conn, q.TeamId, sourceId, sprint.Id, finish, ct);
        var findings = await FindingsRaisedAsync(conn, q.TeamId, sprint.Start, finish, ct);

        var trend = all.Where(s => s.State == SprintState.Closed && s.Start <= sprint.Start && s.CommittedPoints is not null)
            .Take(Math.Max(1, q.TrendSprints ?? options.Value.Analysis.VelocitySprints)).Reverse()
            .Select(s => new SayDoPointDto(s.Id, s.Name, s.Start, s.CommittedPoints!.Value, s.CompletedPoints ?? 0, s.SayDo)).ToList();

        return new(true, new RetrospectivePack(sprint,
            items.Where(i => i.CarriedOver).Select(i => Dto(i, i.CarryCount + 1)).ToList(),
            items.Where(i => i.Added).Select(i => Dto(i, i.CarryCount)).ToList(),
            items.Where(i => i.Removed).Select(i => Dto(i, i.CarryCount)).ToList(),
            blockers, findings, trend));
    }

    /// <summary>Other teams' items that the sprint's committed or added items depended on and that were not done by its end.</summary>
    private static async Task<List<BlockerDto>> BlockersAsync(NpgsqlConnection conn, string teamId, string? sourceId, string sprintId,
        DateTimeOffset? finish, CancellationToken ct) =>
        (await conn.QueryAsync<BlockerDto>(new CommandDefinition("""
            WITH mine AS (
                SELECT w.source_id, w.key FROM analysis.sprint_item_outcomes o
                JOIN core.work_items w ON w.source_id = o.source_id AND w.external_id = o.item_external_id
                WHERE o.team_id = @TeamId AND o.source_id = @sourceId AND o.sprint_id = @SprintId AND (o.committed OR o.added)),
            deps AS (
                SELECT DISTINCT m.key AS item_key, b.source_id, b.external_id, b.key, b.team_id, b.title, b.status_category
                FROM mine m
                JOIN core.links l ON l.from_source_id = m.source_id AND l.from_key = m.key AND l.kind = 'dependency'
                JOIN core.work_items b ON b.source_id = l.to_source_id AND b.key = l.to_key
                WHERE b.team_id IS DISTINCT FROM @TeamId)
            SELECT d.item_key AS itemkey, d.source_id AS blockersource, d.key AS blockerkey, d.team_id AS blockerteam, d.title AS blockertitle,
                   coalesce(
                     (SELECT e.to_value FROM core.item_events e WHERE e.source_id = d.source_id AND e.item_external_id = d.external_id
                        AND e.kind = 'statusChanged' AND e.at < @finish ORDER BY e.at DESC, e.event_id DESC LIMIT 1),
                     (SELECT e.from_value FROM core.item_events e WHERE e.source_id = d.source_id AND e.item_external_id = d.external_id
                        AND e.kind = 'statusChanged' ORDER BY e.at, e.event_id LIMIT 1),
                     d.status_category) AS blockerstatusatend
            FROM deps d
            ORDER BY 1, 2, 3
            """, new { TeamId = teamId, sourceId, SprintId = sprintId, finish = (finish ?? DateTimeOffset.MaxValue).UtcDateTime }, cancellationToken: ct)))
            .Where(b => b.BlockerStatusAtEnd != StatusCategory.Done.Name()).ToList();

    /// <summary>The findings of the team (owning or related) first raised between the sprint's start and its finish.</summary>
    private static async Task<List<RaisedFindingDto>> FindingsRaisedAsync(NpgsqlConnection conn, string teamId, DateTimeOffset? start,
        DateTimeOffset? finish, CancellationToken ct) =>
        (await conn.QueryAsync<FindingRow>(new CommandDefinition("""
            SELECT id, rule, severity, status, title, first_seen FROM analysis.findings
            WHERE (team_id = @TeamId OR @TeamId = ANY(related_teams)) AND first_seen >= @start AND first_seen < @finish
            ORDER BY first_seen, id
            """, new { TeamId = teamId, start = (start ?? DateTimeOffset.MinValue).UtcDateTime, finish = (finish ?? DateTimeOffset.MaxValue).UtcDateTime },
            cancellationToken: ct)))
            .Select(f => new RaisedFindingDto(f.Id, f.Rule, f.Severity, f.Status, f.Title, new DateTimeOffset(DateTime.SpecifyKind(f.FirstSeen, DateTimeKind.Utc)))).ToList();

    private sealed class FindingRow
    {
        public long Id { get; set; }
        public string Rule { get; set; } = "";
        public string Severity { get; set; } = "";
        public string Status { get; set; } = "";
        public string Title { get; set; } = "";
        public DateTime FirstSeen { get; set; }
    }

    private sealed class OutcomeRow
    {
        public string Key { get; set; } = "";
        public string Title { get; set; } = "";
        public string StatusCategory { get; set; } = "";
        public string Url { get; set; } = "";
        public double? Points { get; set; }
        public bool Committed { get; set; }
        public bool Added { get; set; }
        public bool Removed { get; set; }
        public bool Completed { get; set; }
        public bool CarriedOver { get; set; }
        public int CarryCount { get; set; }
    }
}
