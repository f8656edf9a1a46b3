using Dapper;
using Mediator;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Alignment.Store.Queries;

public sealed record SprintRef(string Id, string Name, SprintState State, DateTimeOffset? Start, DateTimeOffset? End);

public sealed record VelocityDto(int Sprints, IReadOnlyList<double> Completed, double? Mean, double? P15, double? P50, double? P85,
    double? Trend, double? CoefficientOfVariation);

public sealed record PlanningItemDto(string Key, string Title, string StatusCategory, double? StoryPoints, string? Rank, string Url);

public sealed record CarryOverCandidateDto(string Key, string Title, string StatusCategory, double? StoryPoints, int TimesCarriedOver, string Url);

/// <summary>A dependency across teams: <c>Item</c> (this team's) depends on <c>Other</c> (<c>dependsOn</c>), or <c>Other</c>
/// depends on <c>Item</c> (<c>blocks</c>).</summary>
public sealed record CrossTeamDependencyDto(string Direction, string ItemKey, string OtherSource, string OtherKey, string? OtherTeam,
    string? OtherStatusCategory, string? OtherSprint, string? OtherTitle);

/// <summary>
/// The next-sprint pack: available capacity of the next sprint, velocity over the last closed sprints (P15–P85 and P50),
/// suggested load = P50 × (next capacity ÷ average capacity of those sprints; 1 when either is unknown), unestimated items
/// near the top of the backlog, carry-over candidates (unfinished items of the active sprint), and dependencies of the
/// next sprint's items on other teams' items and of other teams' items on them.
/// </summary>
public sealed record PlanningPack(string Team, SprintRef? NextSprint, double? CapacityDays, VelocityDto Velocity,
    double? AverageCapacityDays, double? CapacityRatio, double? SuggestedLoad, IReadOnlyList<PlanningItemDto> UnestimatedTopItems,
    IReadOnlyList<CarryOverCandidateDto> CarryOverCandidates, IReadOnlyList<CrossTeamDependencyDto> Dependencies);

/// <summary>Null when the team is unknown or not visible. <c>VelocitySprints</c> null: <c>Analysis:VelocitySprints</c>.</summary>
public sealed record GetPlanningQuery(Viewer Viewer, string TeamId, int? VelocitySprints = null, int BacklogTop = 30) : IQuery<PlanningPack?>;

internal sealed class GetPlanningHandler(NpgsqlDataSource db, IOptions<AlignmentOptions> options) : IQueryHandler<GetPlanningQuery, PlanningPack?>
{
    public async ValueTask<PlanningPack?> Handle(GetPlanningQuery q, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        if (!await TeamAccess.CanSeeAsync(conn, q.Viewer, q.TeamId, ct)) return null;
        var team = await conn.QuerySingleAsync<(string SourceId, string Kind)>(new CommandDefinition("""
            SELECT t.source_id, s.kind FROM core.teams t JOIN core.sources s ON s.id = t.source_id WHERE t.id = @TeamId
            """, new { q.TeamId }, cancellationToken: ct));
        var sprints = (await conn.QueryAsync<SprintRow>(new CommandDefinition("""
            SELECT s.external_id AS id, s.name, s.state AS state_name, s.start_at, s.end_at, s.completed_at,
                   f.completed_points, f.capacity_days
            FROM core.team_sprints ts JOIN core.sprints s ON s.source_id = ts.source_id AND s.external_id = ts.sprint_id
            LEFT JOIN analysis.sprint_figures f ON f.team_id = ts.team_id AND f.source_id = ts.source_id AND f.sprint_id = ts.sprint_id
            WHERE ts.team_id = @TeamId
            ORDER BY s.start_at NULLS LAST, s.external_id
            """, new { q.TeamId }, cancellationToken: ct))).ToList();

        var velocitySprints = Math.Max(1, q.VelocitySprints ?? options.Value.Analysis.VelocitySprints);
        var closed = sprints.Where(s => s.State == SprintState.Closed && s.CompletedPoints is not null).TakeLast(velocitySprints).ToList();
        var v = VelocityStatistics.Compute(closed.Select(s => s.CompletedPoints!.Value).ToList(), velocitySprints);
        var velocity = new VelocityDto(v.Sprints, v.Completed, v.Mean, v.P15, v.P50, v.P85, v.Trend, v.CoefficientOfVariation);

        var active = sprints.Find(s => s.State == SprintState.Active);
        var next = sprints.Find(s => s.State == SprintState.Future);
        double? capacity = null;
        if (next is not null)
        {
            var window = new SprintWindow(next.Id, next.Name, SprintState.Future, Utc(next.StartAt), Utc(next.EndAt), null);
            capacity = (await SprintFiguresRefresher.CapacityAsync(conn, options.Value, team.Kind, q.TeamId, team.SourceId, [window], ct))
                .GetValueOrDefault(next.Id);
        }
        var pastCapacities = closed.Where(s => s.CapacityDays is > 0).Select(s => s.CapacityDays!.Value).ToList();
        double? averageCapacity = Stats.Mean(pastCapacities);
        double? ratio = capacity is not null && averageCapacity is > 0 ? capacity / averageCapacity : null;
        double? suggested = v.P50 is { } p50 ? p50 * (ratio ?? 1.0) : null;

        var unestimated = await UnestimatedTopAsync(conn, q.TeamId, q.BacklogTop, ct);
        var candidates = active is null ? [] : await CarryOverCandidatesAsync(conn, q.TeamId, team.SourceId, active.Id, ct);

        var dependencies = next is null ? [] : await DependenciesAsync(conn, q.TeamId, team.SourceId, next.Id, ct);
        return new PlanningPack(q.TeamId, next is null ? null : Ref(next), capacity, velocity, averageCapacity, ratio, suggested,
            unestimated, candidates, dependencies);
    }

    /// <summary>The unestimated items among the top <paramref name="backlogTop"/> of the team's ranked open backlog.</summary>
    private static async Task<List<PlanningItemDto>> UnestimatedTopAsync(NpgsqlConnection conn, string teamId, int backlogTop, CancellationToken ct) =>
        (await conn.QueryAsync<PlanningItemDto>(new CommandDefinition("""
            SELECT key, title, status_category AS statuscategory, story_points AS storypoints, rank, url FROM (
                SELECT w.key, w.title, w.status_category, w.story_points, w.rank, w.url
                FROM core.work_items w
                WHERE w.team_id = @TeamId AND NOT w.deleted AND w.status_category IN ('todo', 'inProgress')
                  AND w.type IN ('story', 'bug', 'task', 'other')
                ORDER BY w.rank NULLS LAST, w.key
                LIMIT @BacklogTop) top
            WHERE story_points IS NULL
            ORDER BY rank NULLS LAST, key
            """, new { TeamId = teamId, BacklogTop = backlogTop }, cancellationToken: ct))).ToList();

    /// <summary>The unfinished items of the active sprint, with how often each was carried over already.</summary>
    private static async Task<List<CarryOverCandidateDto>> CarryOverCandidatesAsync(NpgsqlConnection conn, string teamId, string sourceId,
        string sprintId, CancellationToken ct) =>
        (await conn.QueryAsync<CarryOverCandidateDto>(new CommandDefinition("""
            SELECT w.key, w.title, w.status_category AS statuscategory, w.story_points AS storypoints, coalesce(o.carry_count, 0) AS timescarriedover, w.url
            FROM core.sprint_items si
            JOIN core.work_items w ON w.source_id = si.source_id AND w.external_id = si.item_external_id
            LEFT JOIN analysis.sprint_item_outcomes o ON o.team_id = @TeamId AND o.source_id = si.source_id AND o.sprint_id = si.sprint_id
                 AND o.item_external_id = si.item_external_id
            WHERE si.source_id = @SourceId AND si.sprint_id = @SprintId AND NOT w.deleted AND w.status_category IN ('todo', 'inProgress')
            ORDER BY w.rank NULLS LAST, w.key
            """, new { TeamId = teamId, SourceId = sourceId, SprintId = sprintId }, cancellationToken: ct))).ToList();

    /// <summary>Dependencies between the items of a sprint and other teams' items, both directions (core.links kind dependency).</summary>
    internal static async Task<List<CrossTeamDependencyDto>> DependenciesAsync(NpgsqlConnection conn, string teamId, string sourceId, string sprintId,
        CancellationToken ct) =>
        (await conn.QueryAsync<CrossTeamDependencyDto>(new CommandDefinition("""
            WITH mine AS (
                SELECT w.source_id, w.key FROM core.sprint_items si
                JOIN core.work_items w ON w.source_id = si.source_id AND w.external_id = si.item_external_id AND NOT w.deleted
                WHERE si.source_id = @sourceId AND si.sprint_id = @sprintId),
            edges AS (
                SELECT DISTINCT 'dependsOn' AS direction, m.key AS item_key, l.to_source_id AS other_source, l.to_key AS other_key
                FROM mine m JOIN core.links l ON l.from_source_id = m.source_id AND l.from_key = m.key AND l.kind = 'dependency'
                UNION
                SELECT DISTINCT 'blocks', m.key, l.from_source_id, l.from_key
                FROM mine m JOIN core.links l ON l.to_source_id = m.source_id AND l.to_key = m.key AND l.kind = 'dependency')
            SELECT e.direction, e.item_key AS itemkey, e.other_source AS othersource, e.other_key AS otherkey, o.team_id AS otherteam,
                   o.status_category AS otherstatuscategory, sp.name AS othersprint, o.title AS othertitle
            FROM edges e
            LEFT JOIN core.work_items o ON o.source_id = e.other_source AND o.key = e.other_key
            LEFT JOIN core.sprints sp ON sp.source_id = o.source_id AND sp.external_id = o.sprint_id
            WHERE o.team_id IS DISTINCT FROM @teamId
            ORDER BY e.direction, e.item_key, e.other_source, e.other_key
            """, new { teamId, sourceId, sprintId }, cancellationToken: ct))).ToList();

    private static SprintRef Ref(SprintRow s) => new(s.Id, s.Name, s.State, Utc(s.StartAt), Utc(s.EndAt));

    private static DateTimeOffset? Utc(DateTime? d) => SprintFiguresRefresher.Utc(d);

    private sealed class SprintRow
    {
        public string Id { get; set; } = "";
        public string Name { get; set; } = "";
        public SprintState State { get; private set; }
        /// <summary>The stored name, parsed once as it is read.</summary>
        public string StateName { get => State.Name(); set => State = DomainNames.Parse<SprintState>(value); }
        public DateTime? StartAt { get; set; }
        public DateTime? EndAt { get; set; }
        public DateTime? CompletedAt { get; set; }
        public double? CompletedPoints { get; set; }
        public double? CapacityDays { get; set; }
    }
}
