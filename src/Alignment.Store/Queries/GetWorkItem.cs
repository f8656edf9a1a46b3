using Dapper;
using Mediator;
using Npgsql;

namespace Alignment.Store.Queries;

/// <summary>
/// A link seen from the item asked for. <c>direction</c>: <c>blocks</c> (the other item depends on this one),
/// <c>dependsOn</c> (this one depends on the other), <c>none</c> for undirected kinds. <c>resolved</c>: the other item is synced.
/// </summary>
public sealed record LinkDto(string Kind, string Direction, string? Source, string Key, bool Resolved, string? Title,
    string? StatusCategory, string? Team, string? Url, string Origin);

/// <summary>A work item's fields plus its links.</summary>
public sealed record WorkItemDetailDto : WorkItemDto
{
    public WorkItemDetailDto(WorkItemDto item, IReadOnlyList<LinkDto> links) : base(item) => Links = links;

    public IReadOnlyList<LinkDto> Links { get; }
}

/// <summary>One item with its links from either end. Null when unknown or not visible to the viewer.</summary>
public sealed record GetWorkItemQuery(Viewer Viewer, string SourceId, string Key) : IQuery<WorkItemDetailDto?>;

internal sealed class GetWorkItemHandler(NpgsqlDataSource db) : IQueryHandler<GetWorkItemQuery, WorkItemDetailDto?>
{
    public async ValueTask<WorkItemDetailDto?> Handle(GetWorkItemQuery q, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var row = await conn.QuerySingleOrDefaultAsync<ListWorkItemsHandler.Row>(new CommandDefinition($"""
            SELECT {ListWorkItemsHandler.Columns}
            FROM core.work_items w
            LEFT JOIN core.sprints sp ON sp.source_id = w.source_id AND sp.external_id = w.sprint_id
            WHERE w.source_id = @SourceId AND (w.key = @Key OR w.key = upper(@Key)) AND NOT w.deleted
            ORDER BY w.key = @Key DESC LIMIT 1
            """, new { q.SourceId, q.Key }, cancellationToken: ct));
        if (row is null) return null;
        if (q.Viewer.TeamScope is not null && (row.Team is null || !await TeamAccess.CanSeeAsync(conn, q.Viewer, row.Team, ct))) return null;

        var links = await conn.QueryAsync<LinkRow>(new CommandDefinition("""
            WITH edges AS (
                SELECT DISTINCT ON (other_source, other_key, kind, direction)
                       kind, direction, other_source, other_key, origin, to_url
                FROM (
                    SELECT l.kind, CASE WHEN l.kind = 'dependency' THEN 'dependsOn' ELSE 'none' END AS direction,
                           l.to_source_id AS other_source, l.to_key AS other_key, l.origin, l.to_url
                    FROM core.links l WHERE l.from_source_id = @source AND l.from_key = @key
                    UNION ALL
                    SELECT l.kind, CASE WHEN l.kind = 'dependency' THEN 'blocks' ELSE 'none' END,
                           l.from_source_id, l.from_key, l.origin, NULL
                    FROM core.links l WHERE l.to_source_id = @source AND l.to_key = @key
                ) e
                WHERE NOT (other_source = @source AND other_key = @key)
                ORDER BY other_source, other_key, kind, direction, (origin = 'trackerLink') DESC
            )
            SELECT e.kind, e.direction, NULLIF(e.other_source, '') AS source, e.other_key AS key,
                   (o.key IS NOT NULL) AS resolved, o.title, o.status_category, o.team_id AS team,
                   COALESCE(o.url, e.to_url) AS url, e.origin
            FROM edges e
            LEFT JOIN core.work_items o ON o.source_id = e.other_source AND o.key = e.other_key AND NOT o.deleted
            ORDER BY e.kind, e.direction, e.other_source, e.other_key
            """, new { source = row.Source, key = row.Key }, cancellationToken: ct));
        // An undirected link reported from both ends appears once.
        var distinct = links.GroupBy(l => (l.Kind, l.Direction, l.Source, l.Key)).Select(g => g.First())
            .Select(l => new LinkDto(l.Kind, l.Direction, l.Source, l.Key, l.Resolved, l.Title, l.StatusCategory, l.Team, l.Url, l.Origin))
            .ToList();
        return new WorkItemDetailDto(row.ToDto(), distinct);
    }

    private sealed class LinkRow
    {
        public string Kind { get; set; } = "";
        public string Direction { get; set; } = "";
        public string? Source { get; set; }
        public string Key { get; set; } = "";
        public bool Resolved { get; set; }
        public string? Title { get; set; }
        public string? StatusCategory { get; set; }
        public string? Team { get; set; }
        public string? Url { get; set; }
        public string Origin { get; set; } = "";
    }
}
