using System.Globalization;
using Npgsql;

namespace Alignment.Store.Analysis;

/// <summary>Loads an <see cref="AnalysisSnapshot"/> with a few set-based queries (one per table, no per-item round trips).</summary>
public static class SnapshotLoader
{
    // The queries of the load, in order (listed in Queries, so that the benchmark's read floor copies exactly these rows).
    private const string TeamSprintsSql = "SELECT team_id, sprint_id FROM core.team_sprints";
    private const string TeamsSql = "SELECT id, name, source_id, product_owner_email FROM core.teams ORDER BY id";
    private const string ItemColumns = """
        w.source_id, w.external_id, w.key, w.url, w.type, w.title, w.status_category, w.story_points, w.team_id, w.sprint_id,
        w.sprint_ids, w.parent_key, w.rank, w.created_at, w.updated_at, w.due_date,
        w.business_value, w.time_criticality, w.risk_reduction, w.job_size, w.budget
        """;
    private const string ItemsSql = $"""
        SELECT {ItemColumns}, e.first_added
        FROM core.work_items w
        LEFT JOIN (SELECT source_id, item_external_id, min(at) AS first_added FROM core.item_events
                   WHERE kind = 'sprintAdded' GROUP BY source_id, item_external_id) e
          ON e.source_id = w.source_id AND e.item_external_id = w.external_id
        WHERE NOT w.deleted
        """;
    private const string ChangedItemsSql = $"""
        SELECT {ItemColumns},
               (SELECT min(e.at) FROM core.item_events e
                 WHERE e.source_id = w.source_id AND e.item_external_id = w.external_id AND e.kind = 'sprintAdded')
        FROM core.work_items w
        WHERE NOT w.deleted AND w.source_id = @source AND w.external_id = ANY(@ids)
        """;
    // Every reporter's statement of a link (the image counts them: a link two items report is one).
    private const string LinksSql = """
        SELECT reporter_source_id, reporter_external_id, from_source_id, from_key, to_source_id, to_key FROM core.links
        WHERE kind = 'dependency' AND to_source_id <> ''
        """;
    private const string ChangedLinksSql = LinksSql + " AND reporter_source_id = @source AND reporter_external_id = ANY(@ids)";
    private const string SprintsSql = "SELECT source_id, external_id, name, state, start_at, end_at, completed_at FROM core.sprints";
    private const string FiguresSql = """
        SELECT team_id, source_id, sprint_id, basis, committed_points, completed_points, added_points, removed_points, say_do, capacity_days
        FROM analysis.sprint_figures
        """;
    private const string CapacitiesSql = "SELECT team_id, source_id, sprint_id, sum(available_days) FROM core.capacities GROUP BY 1, 2, 3";
    private const string EstimatesSql = "SELECT source_id, item_external_id, at, from_value, to_value, event_id FROM core.item_events WHERE kind = 'estimateChanged'";
    private const string ChangedEstimatesSql = EstimatesSql + " AND source_id = @source AND item_external_id = ANY(@ids)";

    /// <summary>
    /// Every SELECT the load runs, in its order; with sync sources it also runs <see cref="SyncStateReader.Queries"/>. The benchmark
    /// (<c>alignment-dev bench</c>) copies exactly these rows as the analysis's read floor.
    /// </summary>
    public static IReadOnlyList<string> Queries { get; } = [TeamSprintsSql, TeamsSql, ItemsSql, LinksSql, SprintsSql, FiguresSql, CapacitiesSql, EstimatesSql];

    public static Task<AnalysisSnapshot> LoadAsync(NpgsqlConnection conn, DateTimeOffset now, CancellationToken ct) => LoadAsync(conn, now, ct, null);

    /// <summary>
    /// As above; with <paramref name="syncSources"/> (the configured sources and teams: <see cref="SyncSourceScope.From"/>) the snapshot also
    /// carries the sync state for SYNC-STALE. With an <paramref name="image"/> (<see cref="LoadImageAsync"/>, <see cref="PatchImageAsync"/>) the
    /// items, links and estimate events come from it; the small tables (teams, sprints, figures, capacities) are always read. Every list is in
    /// a canonical order (<see cref="SnapshotImage"/>), so the same rows give the same snapshot however they lie in the tables.
    /// </summary>
    public static async Task<AnalysisSnapshot> LoadAsync(NpgsqlConnection conn, DateTimeOffset now, CancellationToken ct, Action<string, double>? phase,
        IReadOnlyList<SyncSourceScope>? syncSources = null, SnapshotImage? image = null)
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
        foreach (var l in teamSprints.Values) l.Sort(StringComparer.Ordinal);
        var teams = new List<SnapshotTeam>();
        await Read(conn, TeamsSql, r =>
            teams.Add(new SnapshotTeam(r.GetString(0), r.GetString(1), r.GetString(2), teamSprints.GetValueOrDefault(r.GetString(0)) ?? [],
                r.IsDBNull(3) || r.GetString(3).Length == 0 ? null : r.GetString(3))), ct);

        Mark("teams");
        image ??= await LoadImageAsync(conn, ct, phase);
        sw.Restart();
        var sprints = new List<SnapshotSprint>();
        await Read(conn, SprintsSql, r => sprints.Add(new SnapshotSprint(
            r.GetString(0), r.GetString(1), r.GetString(2), DomainNames.Parse<SprintState>(r.GetString(3)),
            r.IsDBNull(4) ? null : Utc(r.GetDateTime(4)), r.IsDBNull(5) ? null : Utc(r.GetDateTime(5)), r.IsDBNull(6) ? null : Utc(r.GetDateTime(6)))), ct);
        sprints.Sort((a, b) => Compare(a.Source, b.Source, a.Id, b.Id));

        Mark("sprints");
        var figures = new List<SprintFigure>();
        await Read(conn, FiguresSql, r => figures.Add(new SprintFigure(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetDouble(4), r.GetDouble(5),
                r.GetDouble(6), r.GetDouble(7), r.IsDBNull(8) ? null : r.GetDouble(8), r.IsDBNull(9) ? null : r.GetDouble(9))), ct);
        figures.Sort((a, b) => Compare(a.Team, b.Team, a.Source, b.Source, a.SprintId, b.SprintId, a.Basis, b.Basis));

        Mark("figures");
        var capacities = new List<SprintCapacity>();
        await Read(conn, CapacitiesSql,
            r => capacities.Add(new SprintCapacity(r.GetString(0), r.GetString(1), r.GetString(2), r.GetDouble(3))), ct);
        // Sprint figures carry a capacity for Jira teams (absences) too; they win where present.
        var capKeys = capacities.Select(c => (c.Team, c.Source, c.SprintId)).ToHashSet();
        foreach (var f in figures)
            if (f.CapacityDays is { } d && !capKeys.Contains((f.Team, f.Source, f.SprintId))) capacities.Add(new SprintCapacity(f.Team, f.Source, f.SprintId, d));
        capacities.Sort((a, b) => Compare(a.Team, b.Team, a.Source, b.Source, a.SprintId, b.SprintId));

        Mark("capacities");
        SnapshotSync? sync = null;
        if (syncSources is not null)
        {
            sync = new SnapshotSync(syncSources, await SyncStateReader.LoadAsync(conn, ct));
            Mark("syncState");
        }
        return new AnalysisSnapshot(now, teams, image.Items, image.Links, sprints, figures, capacities, image.EstimateEvents, sync);
    }

    /// <summary>Reads the items, dependency links and estimate events of the whole store.</summary>
    public static async Task<SnapshotImage> LoadImageAsync(NpgsqlConnection conn, CancellationToken ct, Action<string, double>? phase = null)
    {
        var sw = System.Diagnostics.Stopwatch.StartNew();
        void Mark(string name) { phase?.Invoke(name, sw.Elapsed.TotalMilliseconds); sw.Restart(); }
        var items = new List<SnapshotItem>();
        await Read(conn, ItemsSql, r => items.Add(Item(r)), ct);
        Mark("items");
        var links = new List<SnapshotImage.ReportedLink>();
        await Read(conn, LinksSql, r => links.Add(Link(r)), ct);
        Mark("links");
        var estimates = new List<SnapshotImage.EstimateRow>();
        await Read(conn, EstimatesSql, r => estimates.Add(Estimate(r)), ct);
        Mark("estimates");
        var image = SnapshotImage.Create(items, links, estimates);
        Mark("order");
        return image;
    }

    /// <summary><paramref name="image"/> with the <paramref name="changes"/> read again: their rows, the links they report, their estimate events.</summary>
    public static async Task<SnapshotImage> PatchImageAsync(NpgsqlConnection conn, SnapshotImage image, ItemChanges changes, CancellationToken ct)
    {
        var items = new List<SnapshotItem>();
        var links = new List<SnapshotImage.ReportedLink>();
        var estimates = new List<SnapshotImage.EstimateRow>();
        foreach (var (source, set) in changes.BySource)
        {
            var ids = set.ToArray();
            await Read(conn, ChangedItemsSql, r => items.Add(Item(r)), ct, source, ids);
            await Read(conn, ChangedLinksSql, r => links.Add(Link(r)), ct, source, ids);
            await Read(conn, ChangedEstimatesSql, r => estimates.Add(Estimate(r)), ct, source, ids);
        }
        return image.Patch(changes, items, links, estimates);
    }

    private static SnapshotItem Item(NpgsqlDataReader r) => new(
        r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), DomainNames.Parse<WorkItemType>(r.GetString(4)), r.GetString(5),
        DomainNames.Parse<StatusCategory>(r.GetString(6)),
        r.IsDBNull(7) ? null : r.GetDouble(7), r.IsDBNull(8) ? null : r.GetString(8), r.IsDBNull(9) ? null : r.GetString(9),
        r.GetFieldValue<string[]>(10), r.IsDBNull(11) ? null : r.GetString(11), r.IsDBNull(12) ? null : r.GetString(12),
        Utc(r.GetDateTime(13)), Utc(r.GetDateTime(14)), r.IsDBNull(15) ? null : r.GetFieldValue<DateOnly>(15),
        r.IsDBNull(21) ? null : Utc(r.GetDateTime(21)),
        ItemValue.Of(Num(r, 16), Num(r, 17), Num(r, 18), Num(r, 19), Num(r, 20)));

    private static SnapshotImage.ReportedLink Link(NpgsqlDataReader r) =>
        new(r.GetString(0), r.GetString(1), new SnapshotLink(r.GetString(2), r.GetString(3), r.GetString(4), r.GetString(5)));

    private static SnapshotImage.EstimateRow Estimate(NpgsqlDataReader r) =>
        new(r.GetString(5), new EstimateEvent(r.GetString(0), r.GetString(1), Utc(r.GetDateTime(2)),
            Number(r.IsDBNull(3) ? null : r.GetString(3)), Number(r.IsDBNull(4) ? null : r.GetString(4))));

    private static int Compare(params string[] pairs)
    {
        for (var i = 0; i < pairs.Length; i += 2)
            if (string.CompareOrdinal(pairs[i], pairs[i + 1]) is var c and not 0) return c;
        return 0;
    }

    private static double? Num(NpgsqlDataReader r, int i) => r.IsDBNull(i) ? null : r.GetDouble(i);

    private static double? Number(string? s) =>
        double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : null;

    private static DateTimeOffset Utc(DateTime d) => new(DateTime.SpecifyKind(d, DateTimeKind.Utc));

    private static async Task Read(NpgsqlConnection conn, string sql, Action<NpgsqlDataReader> row, CancellationToken ct,
        string? source = null, string[]? ids = null)
    {
        await using var cmd = new NpgsqlCommand(sql, conn);
        if (source is not null)
        {
            cmd.Parameters.AddWithValue("source", source);
            cmd.Parameters.AddWithValue("ids", ids!);
        }
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) row(r);
    }
}
