using Dapper;
using Mediator;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Alignment.Store.Mi;

/// <summary>The items behind an epic's points (its descendant stories, bugs and tasks, per team). Null when the epic is unknown.</summary>
public sealed record ExplainMiEpicQuery(string Source, string Key) : IQuery<MiExplanation?>;

internal sealed class ExplainMiEpicHandler(NpgsqlDataSource db, MiSnapshots snapshots) : IQueryHandler<ExplainMiEpicQuery, MiExplanation?>
{
    public async ValueTask<MiExplanation?> Handle(ExplainMiEpicQuery q, CancellationToken ct)
    {
        var epics = await snapshots.GetAsync<MiEpics>(MiSnapshots.Epics, ct);
        var epic = epics.Epics.FirstOrDefault(e => e.Source == q.Source && e.Key == q.Key);
        if (epic is null) return null;
        await using var conn = await db.OpenConnectionAsync(ct);
        var rows = await conn.QueryAsync<(string Key, string Type, string Title, string Status, string StatusCategory, double? Points, string? Team, string Url)>(
            new CommandDefinition("""
            WITH RECURSIVE d AS (
                SELECT w.source_id, w.key, w.type, 1 AS depth FROM core.work_items w
                WHERE w.source_id = @Source AND w.parent_key = @Key AND NOT w.deleted AND w.type <> 'epic'
                UNION ALL
                SELECT w.source_id, w.key, w.type, d.depth + 1 FROM d
                JOIN core.work_items w ON w.source_id = d.source_id AND w.parent_key = d.key AND NOT w.deleted
                WHERE d.depth < 4 AND w.type <> 'epic'
            )
            SELECT DISTINCT w.key, w.type, w.title, w.status, w.status_category, w.story_points, w.team_id, w.url
            FROM d JOIN core.work_items w ON w.source_id = d.source_id AND w.key = d.key
            WHERE d.type NOT IN ('epic', 'feature') AND w.status_category <> 'removed'
            ORDER BY w.team_id NULLS LAST, w.key
            """, new { q.Source, q.Key }, cancellationToken: ct));
        return new MiExplanation(WorkItemType.Epic.Name(), MiDefinitions.EpicPoints + " " + MiDefinitions.Epics,
            new { epic.DonePoints, epic.TotalPoints, epic.Status, epic.StatusReason }, null,
            rows.Select(r => ExplainMiFigureHandler.Row(("team", r.Team), ("key", r.Key), ("type", r.Type), ("title", r.Title),
                ("status", r.Status), ("statusCategory", r.StatusCategory), ("points", r.Points), ("url", r.Url))).ToList());
    }
}
