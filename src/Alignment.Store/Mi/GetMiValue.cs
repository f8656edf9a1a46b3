using Dapper;
using Mediator;
using Npgsql;

namespace Alignment.Store.Mi;

/// <summary>The value document (docs/figures.md, "Value") as the viewer may see it: a product owner's teams only; everyone else every team.</summary>
public sealed record GetMiValueQuery(Viewer Viewer) : IQuery<MiValue>;

/// <summary>One epic's or feature's WSJF explained down to its items; null when it is not in a visible backlog.</summary>
public sealed record ExplainMiValueQuery(Viewer Viewer, string Source, string Key) : IQuery<MiExplanation?>;

internal sealed class GetMiValueHandler(NpgsqlDataSource db, MiSnapshots snapshots)
    : IQueryHandler<GetMiValueQuery, MiValue>, IQueryHandler<ExplainMiValueQuery, MiExplanation?>
{
    public async ValueTask<MiValue> Handle(GetMiValueQuery q, CancellationToken ct)
    {
        var doc = await snapshots.GetValueAsync(ct);
        if (q.Viewer.TeamScope is null) return doc;
        var teams = await VisibleTeamsAsync(q.Viewer, ct);
        return doc with { Items = doc.Items.Where(i => teams.Contains(i.Team)).ToList() };
    }

    public async ValueTask<MiExplanation?> Handle(ExplainMiValueQuery q, CancellationToken ct)
    {
        var doc = await Handle(new GetMiValueQuery(q.Viewer), ct);
        var item = doc.Items.FirstOrDefault(i => i.Source == q.Source && i.Key == q.Key);
        if (item is null) return null;
        await using var conn = await db.OpenConnectionAsync(ct);
        var rows = await conn.QueryAsync<(string Key, string Type, string Title, string Status, string StatusCategory, double? Points, string? Team, string Url)>(
            new CommandDefinition("""
            WITH RECURSIVE d AS (
                SELECT w.source_id, w.key, 1 AS depth FROM core.work_items w
                WHERE w.source_id = @Source AND w.parent_key = @Key AND NOT w.deleted
                UNION ALL
                SELECT w.source_id, w.key, d.depth + 1 FROM d
                JOIN core.work_items w ON w.source_id = d.source_id AND w.parent_key = d.key AND NOT w.deleted
                WHERE d.depth < 8
            )
            SELECT DISTINCT w.key, w.type, w.title, w.status, w.status_category, w.story_points, w.team_id, w.url
            FROM d JOIN core.work_items w ON w.source_id = d.source_id AND w.key = d.key
            ORDER BY w.team_id NULLS LAST, w.key
            """, new { q.Source, q.Key }, cancellationToken: ct));
        var value = new
        {
            item.Wsjf, item.BusinessValue, item.TimeCriticality, item.RiskReduction, item.CostOfDelay, item.JobSize, item.JobSizeFrom,
            item.Rank, item.WsjfRank, item.RankedTooLow, item.RankedTooHigh, item.InversionWith,
        };
        // The rows: each descendant with whether its points count in the remaining points (open backlog work: not an epic, feature or task).
        var open = new[] { StatusCategory.Todo.Name(), StatusCategory.InProgress.Name() };
        var notWork = new[] { WorkItemType.Epic.Name(), WorkItemType.Feature.Name(), WorkItemType.Task.Name() };
        return new MiExplanation("wsjf", MiValue.WsjfDefinition, value, item.Wsjf is null ? Reason(item) : null,
            rows.Select(r => ExplainMiFigureHandler.Row(("team", r.Team), ("key", r.Key), ("type", r.Type), ("title", r.Title), ("status", r.Status),
                ("statusCategory", r.StatusCategory), ("points", r.Points),
                ("countsInRemainingPoints", open.Contains(r.StatusCategory) && !notWork.Contains(r.Type) && r.Points > 0), ("url", r.Url))).ToList());
    }

    private static string Reason(MiValueItem i) =>
        i.CostOfDelay is null ? "no cost-of-delay input (business value, time criticality, risk reduction) on the item"
        : "no job size: no job-size field above 0 and no remaining points below the item";

    private async Task<HashSet<string>> VisibleTeamsAsync(Viewer viewer, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<string>(new CommandDefinition(
            $"SELECT t.id FROM core.teams t WHERE {TeamAccess.OwnedByScope}", new { scope = viewer.TeamScope }, cancellationToken: ct)))
            .ToHashSet(StringComparer.Ordinal);
    }
}
