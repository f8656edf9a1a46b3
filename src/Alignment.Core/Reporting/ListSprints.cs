using Dapper;
using Mediator;
using Npgsql;

namespace Alignment.Core.Reporting;

public sealed record SprintDto(string Id, string Name, string State, DateTimeOffset? Start, DateTimeOffset? End,
    DateTimeOffset? Completed, string? Goal, int Items, double? CapacityDays);

/// <summary>A team's sprints, newest first. Null when the team is unknown or not visible.</summary>
public sealed record ListSprintsQuery(Viewer Viewer, string TeamId) : IQuery<IReadOnlyList<SprintDto>?>;

internal sealed class ListSprintsHandler(NpgsqlDataSource db) : IQueryHandler<ListSprintsQuery, IReadOnlyList<SprintDto>?>
{
    public async ValueTask<IReadOnlyList<SprintDto>?> Handle(ListSprintsQuery q, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        if (!await TeamAccess.CanSeeAsync(conn, q.Viewer, q.TeamId, ct)) return null;
        var rows = await conn.QueryAsync<Row>(new CommandDefinition("""
            SELECT s.external_id AS id, s.name, s.state, s.start_at, s.end_at, s.completed_at, s.goal,
                   (SELECT count(*) FROM core.sprint_items si JOIN core.work_items w
                        ON w.source_id = si.source_id AND w.external_id = si.item_external_id AND NOT w.deleted
                    WHERE si.source_id = s.source_id AND si.sprint_id = s.external_id)::int AS items,
                   (SELECT sum(c.available_days) FROM core.capacities c
                    WHERE c.team_id = ts.team_id AND c.source_id = s.source_id AND c.sprint_id = s.external_id) AS capacity_days
            FROM core.team_sprints ts
            JOIN core.sprints s ON s.source_id = ts.source_id AND s.external_id = ts.sprint_id
            WHERE ts.team_id = @TeamId
            ORDER BY s.start_at DESC NULLS FIRST, s.name DESC
            """, new { q.TeamId }, cancellationToken: ct));
        return rows.Select(r => new SprintDto(r.Id, r.Name, r.State, Utc(r.StartAt), Utc(r.EndAt), Utc(r.CompletedAt), r.Goal, r.Items, r.CapacityDays)).ToList();
    }

    private static DateTimeOffset? Utc(DateTime? d) => d is { } v ? new DateTimeOffset(DateTime.SpecifyKind(v, DateTimeKind.Utc)) : null;

    private sealed class Row
    {
        public string Id { get; set; } = "";
        public string Name { get; set; } = "";
        public string State { get; set; } = "";
        public DateTime? StartAt { get; set; }
        public DateTime? EndAt { get; set; }
        public DateTime? CompletedAt { get; set; }
        public string? Goal { get; set; }
        public int Items { get; set; }
        public double? CapacityDays { get; set; }
    }
}
