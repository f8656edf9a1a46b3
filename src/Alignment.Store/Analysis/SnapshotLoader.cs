using System.Globalization;
using Npgsql;

namespace Alignment.Store.Analysis;

/// <summary>Loads an <see cref="AnalysisSnapshot"/> with a few set-based queries (one per table, no per-item round trips).</summary>
public static class SnapshotLoader
{
    // The queries of the load, in order (listed in Queries, so that the benchmark's read floor copies exactly these rows).
    private const string TeamSprintsSql = "SELECT team_id, sprint_id FROM core.team_sprints";
    private const string TeamsSql = "SELECT id, name, source_id, product_owner_email FROM core.teams ORDER BY id";
    private const string ItemsSql = """
        SELECT w.source_id, w.external_id, w.key, w.url, w.type, w.title, w.status_category, w.story_points, w.team_id, w.sprint_id,
               w.sprint_ids, w.parent_key, w.rank, w.created_at, w.updated_at, w.due_date, e.first_added,
               w.business_value, w.time_criticality, w.risk_reduction, w.job_size, w.budget
        FROM core.work_items w
        LEFT JOIN (SELECT source_id, item_external_id, min(at) AS first_added FROM core.item_events
                   WHERE kind = 'sprintAdded' GROUP BY source_id, item_external_id) e
          ON e.source_id = w.source_id AND e.item_external_id = w.external_id
        WHERE NOT w.deleted
        """;
    private const string LinksSql = """
        SELECT DISTINCT from_source_id, from_key, to_source_id, to_key FROM core.links
        WHERE kind = 'dependency' AND to_source_id <> ''
        """;
    private const string SprintsSql = "SELECT source_id, external_id, name, state, start_at, end_at, completed_at FROM core.sprints";
    private const string FiguresSql = """
        SELECT team_id, source_id, sprint_id, basis, committed_points, completed_points, added_points, removed_points, say_do, capacity_days
        FROM analysis.sprint_figures
        """;
    private const string CapacitiesSql = "SELECT team_id, source_id, sprint_id, sum(available_days) FROM core.capacities GROUP BY 1, 2, 3";
    private const string EstimatesSql = "SELECT source_id, item_external_id, at, from_value, to_value FROM core.item_events WHERE kind = 'estimateChanged'";

    /// <summary>
    /// Every SELECT the load runs, in its order; with sync sources it also runs <see cref="SyncStateReader.Queries"/>. The benchmark
    /// (<c>alignment-dev bench</c>) copies exactly these rows as the analysis's read floor.
    /// </summary>
    public static IReadOnlyList<string> Queries { get; } = [TeamSprintsSql, TeamsSql, ItemsSql, LinksSql, SprintsSql, FiguresSql, CapacitiesSql, EstimatesSql];

    public static Task<AnalysisSnapshot> LoadAsync(NpgsqlConnection conn, DateTimeOffset now, CancellationToken ct) => LoadAsync(conn, now, ct, null);

    /// <summary>
    /// As above; with <paramref name="syncSources"/> (the configured sources and teams: <see cref="SyncSourceScope.From"/>) the snapshot also
    /// carries the sync state for SYNC-STALE.
    /// </summary>
    public static async Task<AnalysisSnapshot> LoadAsync(NpgsqlConnection conn, DateTimeOffset now, CancellationToken ct, Action<string, double>? phase,
        IReadOnlyList<SyncSourceScope>? syncSources = null)
    {
        var sw = System.Diagnostics.Stopwatch.StartNew();
        void Mark(string name) { phase?.Invoke(name, sw.Elapsed.TotalMilliseconds); sw.Restart(); }
        var teamSprints = new Dictionary<string, List<string>>();
        await Read(conn, TeamSprintsSql, r =>
        {
            var t = r.GetString(0);
            if (!teamSprints.TryGetValue(t, out var l)) teamSprints[t] = l = [];
            l.Add(r.GetString(1));
        }, ct);
        var teams = new List<SnapshotTeam>();
        await Read(conn, TeamsSql, r =>
            teams.Add(new SnapshotTeam(r.GetString(0), r.GetString(1), r.GetString(2), teamSprints.GetValueOrDefault(r.GetString(0)) ?? [],
                r.IsDBNull(3) || r.GetString(3).Length == 0 ? null : r.GetString(3))), ct);

        Mark("teams");
        var items = new List<SnapshotItem>();
        await Read(conn, ItemsSql, r => items.Add(new SnapshotItem(
                r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), DomainNames.Parse<WorkItemType>(r.GetString(4)), r.GetString(5),
                DomainNames.Parse<StatusCategory>(r.GetString(6)),
                r.IsDBNull(7) ? null : r.GetDouble(7), r.IsDBNull(8) ? null : r.GetString(8), r.IsDBNull(9) ? null : r.GetString(9),
                r.GetFieldValue<string[]>(10), r.IsDBNull(11) ? null : r.GetString(11), r.IsDBNull(12) ? null : r.GetString(12),
                Utc(r.GetDateTime(13)), Utc(r.GetDateTime(14)), r.IsDBNull(15) ? null : r.GetFieldValue<DateOnly>(15),
                r.IsDBNull(16) ? null : Utc(r.GetDateTime(16)),
                ItemValue.Of(Num(r, 17), Num(r, 18), Num(r, 19), Num(r, 20), Num(r, 21)))), ct);

        Mark("items");
        var links = new List<SnapshotLink>();
        await Read(conn, LinksSql, r => links.Add(new SnapshotLink(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3))), ct);

        Mark("links");
        var sprints = new List<SnapshotSprint>();
        await Read(conn, SprintsSql, r => sprints.Add(new SnapshotSprint(
            r.GetString(0), r.GetString(1), r.GetString(2), DomainNames.Parse<SprintState>(r.GetString(3)),
            r.IsDBNull(4) ? null : Utc(r.GetDateTime(4)), r.IsDBNull(5) ? null : Utc(r.GetDateTime(5)), r.IsDBNull(6) ? null : Utc(r.GetDateTime(6)))), ct);

        Mark("sprints");
        var figures = new List<SprintFigure>();
        await Read(conn, FiguresSql, r => figures.Add(new SprintFigure(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetDouble(4), r.GetDouble(5),
                r.GetDouble(6), r.GetDouble(7), r.IsDBNull(8) ? null : r.GetDouble(8), r.IsDBNull(9) ? null : r.GetDouble(9))), ct);

        Mark("figures");
        var capacities = new List<SprintCapacity>();
        await Read(conn, CapacitiesSql,
            r => capacities.Add(new SprintCapacity(r.GetString(0), r.GetString(1), r.GetString(2), r.GetDouble(3))), ct);
        // Sprint figures carry a capacity for Jira teams (absences) too; they win where present.
        var capKeys = capacities.Select(c => (c.Team, c.Source, c.SprintId)).ToHashSet();
        foreach (var f in figures)
            if (f.CapacityDays is { } d && !capKeys.Contains((f.Team, f.Source, f.SprintId))) capacities.Add(new SprintCapacity(f.Team, f.Source, f.SprintId, d));

        Mark("capacities");
        var estimates = new List<EstimateEvent>();
        await Read(conn, EstimatesSql,
            r => estimates.Add(new EstimateEvent(r.GetString(0), r.GetString(1), Utc(r.GetDateTime(2)),
                Number(r.IsDBNull(3) ? null : r.GetString(3)), Number(r.IsDBNull(4) ? null : r.GetString(4)))), ct);

        Mark("estimates");
        SnapshotSync? sync = null;
        if (syncSources is not null)
        {
            sync = new SnapshotSync(syncSources, await SyncStateReader.LoadAsync(conn, ct));
            Mark("syncState");
        }
        return new AnalysisSnapshot(now, teams, items, links, sprints, figures, capacities, estimates, sync);
    }

    private static double? Num(NpgsqlDataReader r, int i) => r.IsDBNull(i) ? null : r.GetDouble(i);

    private static double? Number(string? s) =>
        double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : null;

    private static DateTimeOffset Utc(DateTime d) => new(DateTime.SpecifyKind(d, DateTimeKind.Utc));

    private static async Task Read(NpgsqlConnection conn, string sql, Action<NpgsqlDataReader> row, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(sql, conn);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) row(r);
    }
}
