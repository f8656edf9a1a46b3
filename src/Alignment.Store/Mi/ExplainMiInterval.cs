using Dapper;
using Mediator;
using Npgsql;

namespace Alignment.Store.Mi;

/// <summary>
/// One interval figure explained (docs/figures.md, "Planning intervals"): for a team, its planned items (with the epic or feature each counts
/// under, its planned points, whether it was delivered — done at the end, or done now while the interval runs — and why not) and its
/// unplanned work; for the organisation, each team's share. Null when the interval, team or figure is unknown.
/// </summary>
public sealed record ExplainMiIntervalQuery(string Interval, string? Team, string Figure) : IQuery<MiExplanation?>;

internal sealed class ExplainMiIntervalHandler(NpgsqlDataSource db, MiSnapshots snapshots) : IQueryHandler<ExplainMiIntervalQuery, MiExplanation?>
{
    public async ValueTask<MiExplanation?> Handle(ExplainMiIntervalQuery q, CancellationToken ct)
    {
        var iv = (await snapshots.GetIntervalsAsync(ct)).Intervals.FirstOrDefault(i => i.Id == q.Interval);
        if (iv is null) return null;
        if (q.Team is null)
        {
            if (IntervalFigures.Figure(iv.Organisation, q.Figure) is not { } org) return null;
            return new MiExplanation(q.Figure, org.Definition, org.Value, org.Reason, iv.Teams.Select(t => ExplainMiFigureHandler.Row(
                ("team", t.Team), ("name", t.Name), ("phase", t.Phase.Name()), ("plannedCount", t.Figures.PlannedCount),
                ("deliveredCount", t.Figures.DeliveredCount), ("plannedPoints", t.Figures.PlannedPoints), ("deliveredPoints", t.Figures.DeliveredPoints),
                ("value", IntervalFigures.Figure(t.Figures, q.Figure)?.Value), ("explain", IntervalFigures.Figure(t.Figures, q.Figure)?.Explain))).ToList());
        }
        var team = iv.Teams.FirstOrDefault(t => t.Team == q.Team);
        if (team is null || IntervalFigures.Figure(team.Figures, q.Figure) is not { } figure) return null;
        await using var conn = await db.OpenConnectionAsync(ct);
        var rows = await conn.QueryAsync<Item>(new CommandDefinition("""
            SELECT true AS planned, p.source_id AS source, p.item_key AS key, w.title, w.url, p.unit_key AS unit, p.points AS planned_points,
                   o.points AS end_points, coalesce(o.done, w.status_category = 'done') AS delivered, o.outcome_id IS NOT NULL AS ended,
                   o.reasons, o.blockers
            FROM analysis.interval_plan_items p
            LEFT JOIN (SELECT *, 1 AS outcome_id FROM analysis.interval_outcome_items) o
              ON o.interval_id = p.interval_id AND o.team_id = p.team_id AND o.source_id = p.source_id AND o.item_external_id = p.item_external_id
            LEFT JOIN core.work_items w ON w.source_id = p.source_id AND w.external_id = p.item_external_id
            WHERE p.interval_id = @interval AND p.team_id = @team
            UNION ALL
            SELECT false, o.source_id, o.item_key, w.title, w.url, o.unit_key, NULL, o.points, o.done, true, o.reasons, o.blockers
            FROM analysis.interval_outcome_items o
            LEFT JOIN core.work_items w ON w.source_id = o.source_id AND w.external_id = o.item_external_id
            WHERE o.interval_id = @interval AND o.team_id = @team AND NOT o.planned
            ORDER BY 1 DESC, 6, 3
            """, new { interval = q.Interval, team = q.Team }, cancellationToken: ct));
        return new MiExplanation(q.Figure, figure.Definition, figure.Value, figure.Reason, rows.Select(r => ExplainMiFigureHandler.Row(
            ("kind", r.Planned ? "planned" : "unplanned"), ("source", r.Source), ("key", r.Key), ("title", r.Title), ("url", r.Url), ("unit", r.Unit),
            ("plannedPoints", r.PlannedPoints), ("pointsAtEnd", r.EndPoints), ("delivered", r.Delivered),
            ("reasons", r.Ended ? string.Join(", ", r.Reasons ?? []) : null), ("blockers", r.Blockers is { Length: > 0 } b ? string.Join(", ", b) : null))).ToList());
    }

    private sealed class Item
    {
        public bool Planned { get; set; }
        public string Source { get; set; } = "";
        public string Key { get; set; } = "";
        public string? Title { get; set; }
        public string? Url { get; set; }
        public string Unit { get; set; } = "";
        public double? PlannedPoints { get; set; }
        public double? EndPoints { get; set; }
        public bool Delivered { get; set; }
        public bool Ended { get; set; }
        public string[]? Reasons { get; set; }
        public string[]? Blockers { get; set; }
    }
}
