using System.Text;
using Dapper;
using Mediator;
using Npgsql;

namespace Alignment.Store.Queries;

public record WorkItemDto(
    string Source, string Key, string Type, string OriginalType, string Title, string Status, string StatusCategory,
    double? StoryPoints, string? Sprint, string? SprintId, string? ParentKey, string? Rank, string? Priority, string? Assignee,
    string Url, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, DateTimeOffset? ResolvedAt, DateOnly? DueDate, string? Team,
    IReadOnlyList<string> Labels);

/// <summary>A team's work items in backlog order (rank), filtered, a page at a time. Null when the team is unknown or not visible.</summary>
public sealed record ListWorkItemsQuery(
    Viewer Viewer, string TeamId, string? Type, string? StatusCategory, string? Sprint, int Limit, string? Cursor)
    : IQuery<Page<WorkItemDto>?>;

internal sealed class ListWorkItemsHandler(NpgsqlDataSource db) : IQueryHandler<ListWorkItemsQuery, Page<WorkItemDto>?>
{
    internal const string Columns = """
        w.source_id AS source, w.key, w.type, w.original_type, w.title, w.status, w.status_category, w.story_points,
        sp.name AS sprint, w.sprint_id, w.parent_key, w.rank, w.priority, w.assignee, w.url, w.created_at, w.updated_at,
        w.resolved_at, w.due_date, w.team_id AS team, w.labels
        """;

    public async ValueTask<Page<WorkItemDto>?> Handle(ListWorkItemsQuery q, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        if (!await TeamAccess.CanSeeAsync(conn, q.Viewer, q.TeamId, ct)) return null;
        var (afterRank, afterKey) = CursorCodec.Decode(q.Cursor);
        var rows = (await conn.QueryAsync<Row>(new CommandDefinition($"""
            SELECT {Columns}, COALESCE(w.rank, '') AS sort_rank
            FROM core.work_items w
            LEFT JOIN core.sprints sp ON sp.source_id = w.source_id AND sp.external_id = w.sprint_id
            WHERE w.team_id = @TeamId AND NOT w.deleted
              AND (@Type::text IS NULL OR w.type = @Type)
              AND (@StatusCategory::text IS NULL OR w.status_category = @StatusCategory)
              AND (@Sprint::text IS NULL OR w.sprint_id = @Sprint OR sp.name = @Sprint)
              AND (@afterKey::text IS NULL OR (COALESCE(w.rank, ''), w.key) > (@afterRank, @afterKey))
            ORDER BY COALESCE(w.rank, ''), w.key
            LIMIT @take
            """, new { q.TeamId, q.Type, q.StatusCategory, q.Sprint, afterRank, afterKey, take = q.Limit + 1 }, cancellationToken: ct))).ToList();
        string? next = null;
        if (rows.Count > q.Limit)
        {
            rows.RemoveAt(rows.Count - 1);
            next = CursorCodec.Encode(rows[^1].SortRank, rows[^1].Key);
        }
        return new Page<WorkItemDto>(rows.Select(r => r.ToDto()).ToList(), next);
    }

    internal sealed class Row
    {
        public string Source { get; set; } = "";
        public string Key { get; set; } = "";
        public string Type { get; set; } = "";
        public string OriginalType { get; set; } = "";
        public string Title { get; set; } = "";
        public string Status { get; set; } = "";
        public string StatusCategory { get; set; } = "";
        public double? StoryPoints { get; set; }
        public string? Sprint { get; set; }
        public string? SprintId { get; set; }
        public string? ParentKey { get; set; }
        public string? Rank { get; set; }
        public string? Priority { get; set; }
        public string? Assignee { get; set; }
        public string Url { get; set; } = "";
        public DateTime CreatedAt { get; set; }
        public DateTime UpdatedAt { get; set; }
        public DateTime? ResolvedAt { get; set; }
        public DateTime? DueDate { get; set; }
        public string? Team { get; set; }
        public string[] Labels { get; set; } = [];
        public string SortRank { get; set; } = "";

        public WorkItemDto ToDto() => new(Source, Key, Type, OriginalType, Title, Status, StatusCategory, StoryPoints, Sprint, SprintId,
            ParentKey, Rank, Priority, Assignee, Url, Utc(CreatedAt), Utc(UpdatedAt), ResolvedAt is { } r ? Utc(r) : null,
            DueDate is { } d ? DateOnly.FromDateTime(d) : null, Team, Labels);

        private static DateTimeOffset Utc(DateTime d) => new(DateTime.SpecifyKind(d, DateTimeKind.Utc));
    }
}

/// <summary>Opaque keyset cursors for paged lists: (sort value, key), URL-safe base64.</summary>
public static class CursorCodec
{
    public static string Encode(string rank, string key) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(rank + "\n" + key)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static (string? Rank, string? Key) Decode(string? cursor)
    {
        if (string.IsNullOrEmpty(cursor)) return (null, null);
        var s = cursor.Replace('-', '+').Replace('_', '/');
        s += new string('=', (4 - s.Length % 4) % 4);
        var text = Encoding.UTF8.GetString(Convert.FromBase64String(s));
        var i = text.IndexOf('\n');
        if (i < 0) throw new FormatException("cursor");
        return (text[..i], text[(i + 1)..]);
    }

}
