using Dapper;
using Mediator;
using Npgsql;

namespace Alignment.Store.Queries;

/// <summary>
/// A sprint with its figures (docs/figures.md). The figures are null for future sprints and for sprints not yet computed;
/// for the active sprint completed/removed/carried-over are "so far". <c>Basis</c>: <c>observed</c> (a sync saw the
/// sprint start) or <c>reconstructed</c> (replayed from item history). <c>CapacityDays</c>: available person-days.
/// </summary>
public sealed record SprintDto(string Id, string Name, SprintState State, DateTimeOffset? Start, DateTimeOffset? End,
    DateTimeOffset? Completed, string? Goal, int Items, double? CapacityDays,
    string? Basis = null, double? CommittedPoints = null, double? CompletedPoints = null, double? AddedPoints = null,
    double? RemovedPoints = null, double? CarriedOverPoints = null, int? CommittedCount = null, int? CompletedCount = null,
    int? AddedCount = null, int? RemovedCount = null, int? CarriedOverCount = null, int? CarriedOverTwiceCount = null,
    int? UnestimatedCount = null, double? SayDo = null);

/// <summary>A team's sprints, newest first. Null when the team is unknown or not visible.</summary>
public sealed record ListSprintsQuery(Viewer Viewer, string TeamId) : IQuery<IReadOnlyList<SprintDto>?>;

internal sealed class ListSprintsHandler(NpgsqlDataSource db) : IQueryHandler<ListSprintsQuery, IReadOnlyList<SprintDto>?>
{
    public async ValueTask<IReadOnlyList<SprintDto>?> Handle(ListSprintsQuery q, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        if (!await TeamAccess.CanSeeAsync(conn, q.Viewer, q.TeamId, ct)) return null;
        return await QueryAsync(conn, q.TeamId, null, ct);
    }

    /// <summary>The team's sprints with their figures, newest first (optionally one sprint).</summary>
    internal static async Task<List<SprintDto>> QueryAsync(NpgsqlConnection conn, string teamId, string? sprintId, CancellationToken ct)
    {
        var rows = await conn.QueryAsync<Row>(new CommandDefinition("""
            SELECT s.external_id AS id, s.name, s.state, s.start_at, s.end_at, s.completed_at, s.goal,
                   (SELECT count(*) FROM core.sprint_items si JOIN core.work_items w
                        ON w.source_id = si.source_id AND w.external_id = si.item_external_id AND NOT w.deleted
                    WHERE si.source_id = s.source_id AND si.sprint_id = s.external_id)::int AS items,
                   f.basis, f.committed_points, f.completed_points, f.added_points, f.removed_points, f.carried_over_points,
                   f.committed_count, f.completed_count, f.added_count, f.removed_count, f.carried_over_count, f.carried_over_twice_count,
                   f.unestimated_count, f.say_do,
                   coalesce(f.capacity_days, (SELECT sum(c.available_days * c.hours_per_day / 8.0) FROM core.capacities c
                    WHERE c.team_id = ts.team_id AND c.source_id = s.source_id AND c.sprint_id = s.external_id)) AS capacity_days
            FROM core.team_sprints ts
            JOIN core.sprints s ON s.source_id = ts.source_id AND s.external_id = ts.sprint_id
            LEFT JOIN analysis.sprint_figures f ON f.team_id = ts.team_id AND f.source_id = ts.source_id AND f.sprint_id = ts.sprint_id
            WHERE ts.team_id = @teamId AND (@sprintId::text IS NULL OR s.external_id = @sprintId)
            ORDER BY s.start_at DESC NULLS FIRST, s.name DESC
            """, new { teamId, sprintId }, cancellationToken: ct));
        return rows.Select(r => new SprintDto(r.Id, r.Name, DomainNames.Parse<SprintState>(r.State), Utc(r.StartAt), Utc(r.EndAt), Utc(r.CompletedAt), r.Goal, r.Items, r.CapacityDays,
            r.Basis, r.CommittedPoints, r.CompletedPoints, r.AddedPoints, r.RemovedPoints, r.CarriedOverPoints, r.CommittedCount, r.CompletedCount,
            r.AddedCount, r.RemovedCount, r.CarriedOverCount, r.CarriedOverTwiceCount, r.UnestimatedCount, r.SayDo)).ToList();
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
        public string? Basis { get; set; }
        public double? CommittedPoints { get; set; }
        public double? CompletedPoints { get; set; }
        public double? AddedPoints { get; set; }
        public double? RemovedPoints { get; set; }
        public double? CarriedOverPoints { get; set; }
        public int? CommittedCount { get; set; }
        public int? CompletedCount { get; set; }
        public int? AddedCount { get; set; }
        public int? RemovedCount { get; set; }
        public int? CarriedOverCount { get; set; }
        public int? CarriedOverTwiceCount { get; set; }
        public int? UnestimatedCount { get; set; }
        public double? SayDo { get; set; }
    }
}
