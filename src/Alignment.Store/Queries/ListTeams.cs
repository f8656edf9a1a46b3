using Dapper;
using Mediator;
using Npgsql;

namespace Alignment.Store.Queries;

public sealed record ProductOwnerDto(string? Name, string? Email);

public sealed record TeamDto(string Id, string Name, string Source, string SourceKind, object Scope, ProductOwnerDto ProductOwner,
    long Items, DateTimeOffset? LastSyncedAt);

/// <summary>The configured teams the viewer may see, with their source and product owner.</summary>
public sealed record ListTeamsQuery(Viewer Viewer) : IQuery<IReadOnlyList<TeamDto>>;

internal sealed class ListTeamsHandler(NpgsqlDataSource db) : IQueryHandler<ListTeamsQuery, IReadOnlyList<TeamDto>>
{
    public async ValueTask<IReadOnlyList<TeamDto>> Handle(ListTeamsQuery q, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var rows = await conn.QueryAsync<Row>(new CommandDefinition($"""
            SELECT t.id, t.name, t.source_id, s.kind AS source_kind, t.scope::text AS scope, t.product_owner_name, t.product_owner_email,
                   (SELECT count(*) FROM core.work_items w WHERE w.team_id = t.id AND NOT w.deleted) AS items,
                   (SELECT r.finished_at FROM ops.sync_runs r WHERE r.id = s.last_sync_run) AS last_synced_at
            FROM core.teams t JOIN core.sources s ON s.id = t.source_id
            WHERE t.configured AND (@scope::text IS NULL OR {TeamAccess.OwnedByScope})
            ORDER BY t.name, t.id
            """, new { scope = q.Viewer.TeamScope }, cancellationToken: ct));
        return rows.Select(r => new TeamDto(r.Id, r.Name, r.SourceId, r.SourceKind,
            System.Text.Json.JsonDocument.Parse(r.Scope).RootElement.Clone(),
            new ProductOwnerDto(r.ProductOwnerName, r.ProductOwnerEmail), r.Items,
            r.LastSyncedAt is { } d ? new DateTimeOffset(DateTime.SpecifyKind(d, DateTimeKind.Utc)) : null)).ToList();
    }

    private sealed class Row
    {
        public string Id { get; set; } = "";
        public string Name { get; set; } = "";
        public string SourceId { get; set; } = "";
        public string SourceKind { get; set; } = "";
        public string Scope { get; set; } = "";
        public string? ProductOwnerName { get; set; }
        public string? ProductOwnerEmail { get; set; }
        public long Items { get; set; }
        public DateTime? LastSyncedAt { get; set; }
    }
}
