using Dapper;
using Mediator;
using Npgsql;

namespace Alignment.Store.Mi;

/// <summary>The open dependencies behind one edge of the team graph (<see cref="From"/> depends on <see cref="To"/>), each with its at-risk flag.</summary>
public sealed record ExplainMiDependencyQuery(string From, string To) : IQuery<MiExplanation>;

internal sealed class ExplainMiDependencyHandler(NpgsqlDataSource db) : IQueryHandler<ExplainMiDependencyQuery, MiExplanation>
{
    public async ValueTask<MiExplanation> Handle(ExplainMiDependencyQuery q, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var rows = (await conn.QueryAsync<Row>(new CommandDefinition("""
            SELECT DISTINCT f.team_id AS from_team, t.team_id AS to_team, f.source_id AS from_source, f.key AS from_key,
                   t.source_id AS to_source, t.key AS to_key, t.story_points AS to_points,
                   fs.state AS from_sprint_state, fs.start_at AS from_sprint_start, tsp.state AS to_sprint_state, tsp.end_at AS to_sprint_end,
                   f.title AS from_title, t.title AS to_title, fs.name AS from_sprint, tsp.name AS to_sprint, f.url AS from_url, t.url AS to_url
            FROM core.links l
            JOIN core.work_items f ON f.source_id = l.from_source_id AND f.key = l.from_key AND NOT f.deleted
            JOIN core.work_items t ON t.source_id = l.to_source_id AND t.key = l.to_key AND NOT t.deleted
            LEFT JOIN core.sprints fs ON fs.source_id = f.source_id AND fs.external_id = f.sprint_id
            LEFT JOIN core.sprints tsp ON tsp.source_id = t.source_id AND tsp.external_id = t.sprint_id
            WHERE l.kind = 'dependency' AND f.team_id = @From AND t.team_id = @To
              AND f.status_category NOT IN ('done', 'removed') AND t.status_category NOT IN ('done', 'removed')
            ORDER BY f.source_id, f.key, t.source_id, t.key
            """, new { q.From, q.To }, cancellationToken: ct))).ToList();
        return new MiExplanation("dependencies", MiDefinitions.Dependencies + " At risk: " + MiDefinitions.AtRisk, rows.Count, null,
            rows.Select(r => ExplainMiFigureHandler.Row(
                ("dependent", new { source = r.FromSource, key = r.FromKey, title = r.FromTitle, sprint = r.FromSprint, url = r.FromUrl }),
                ("blocker", new { source = r.ToSource, key = r.ToKey, title = r.ToTitle, sprint = r.ToSprint, url = r.ToUrl, points = r.ToPoints }),
                ("atRisk", MiBuilder.IsAtRisk(new MiBuilder.DependencyRow(r.FromTeam, r.ToTeam, r.FromSource, r.FromKey, r.ToSource, r.ToKey,
                    r.ToPoints, r.FromSprintState, r.FromSprintStart, r.ToSprintState, r.ToSprintEnd))))).ToList());
    }

    private sealed class Row
    {
        public string FromTeam { get; set; } = "";
        public string ToTeam { get; set; } = "";
        public string FromSource { get; set; } = "";
        public string FromKey { get; set; } = "";
        public string ToSource { get; set; } = "";
        public string ToKey { get; set; } = "";
        public double? ToPoints { get; set; }
        public string? FromSprintState { get; set; }
        public DateTime? FromSprintStart { get; set; }
        public string? ToSprintState { get; set; }
        public DateTime? ToSprintEnd { get; set; }
        public string FromTitle { get; set; } = "";
        public string ToTitle { get; set; } = "";
        public string? FromSprint { get; set; }
        public string? ToSprint { get; set; }
        public string FromUrl { get; set; } = "";
        public string ToUrl { get; set; } = "";
    }
}
