using Dapper;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Alignment.Store.Sprints;

/// <summary>
/// Recomputes the sprint figures of a source's teams (or one team) from the store and writes
/// <c>analysis.sprint_figures</c> and <c>analysis.sprint_item_outcomes</c> in one transaction per team. After a sync
/// (<c>recordSnapshots</c>) it also records the observed snapshots of sprints seen active or closed for the first time
/// (docs/figures.md, "Sprint figures"). The pipeline calls it after every sync that wrote; absences call it for their team.
/// </summary>
public sealed class SprintFiguresRefresher(NpgsqlDataSource db, IOptions<AlignmentOptions> settings, TimeProvider time)
{
    private AlignmentOptions options => settings.Value;

    /// <summary>Returns the number of sprints whose figures were written.</summary>
    public async Task<int> RefreshAsync(string sourceId, string? teamId, bool recordSnapshots, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var teams = (await conn.QueryAsync<string>(new CommandDefinition("""
            SELECT id FROM core.teams WHERE source_id = @sourceId AND (@teamId::text IS NULL OR id = @teamId) ORDER BY id
            """, new { sourceId, teamId }, cancellationToken: ct))).ToList();
        int written = 0;
        foreach (var team in teams) written += await RefreshTeamAsync(conn, sourceId, team, recordSnapshots, ct);
        return written;
    }

    private async Task<int> RefreshTeamAsync(NpgsqlConnection conn, string sourceId, string teamId, bool recordSnapshots, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var kind = await conn.ExecuteScalarAsync<string>(new CommandDefinition("SELECT kind FROM core.sources WHERE id = @sourceId", new { sourceId }, cancellationToken: ct));
        var sprints = (await conn.QueryAsync<SprintRow>(new CommandDefinition("""
            SELECT s.external_id, s.name, s.state, s.start_at, s.end_at, s.completed_at,
                   (SELECT count(*) FROM core.team_sprints o WHERE o.source_id = s.source_id AND o.sprint_id = s.external_id) > 1 AS shared
            FROM core.team_sprints ts JOIN core.sprints s ON s.source_id = ts.source_id AND s.external_id = ts.sprint_id
            WHERE ts.team_id = @teamId AND ts.source_id = @sourceId
            """, new { teamId, sourceId }, cancellationToken: ct))).ToList();
        var windows = sprints.Select(s => new SprintWindow(s.ExternalId, s.Name, ParseState(s.State), Utc(s.StartAt), Utc(s.EndAt), Utc(s.CompletedAt)) { Shared = s.Shared }).ToList();
        var sprintIds = sprints.Select(s => s.ExternalId).ToArray();

        var items = await LoadHistoriesAsync(conn, sourceId, sprintIds, ct);
        var observed = await LoadObservedAsync(conn, teamId, sourceId, ct);
        var results = SprintCalculator.Calculate(windows, items, now, observed.Sprints, teamId);
        if (recordSnapshots)
        {
            // A sprint seen active for the first time gets its start snapshot in this transaction: its figures are observed now.
            var firstSeenActive = windows.Where(w => w.State == SprintState.Active && !observed.StartTaken.Contains(w.SprintId))
                .Select(w => w.SprintId).ToHashSet(StringComparer.Ordinal);
            results = results.Select(r => firstSeenActive.Contains(r.Figures.SprintId)
                ? r with { Figures = r.Figures with { Basis = FigureBasis.Observed } } : r).ToList();
        }
        var capacity = await CapacityAsync(conn, options, kind, teamId, sourceId, windows, ct);

        await using var tx = await conn.BeginTransactionAsync(ct);
        // One refresh of a team at a time (a sync and an absence change may race); the lock ends with the transaction.
        await conn.ExecuteAsync(new CommandDefinition("SELECT pg_advisory_xact_lock(hashtext('sprint-figures:' || @teamId))", new { teamId }, tx, cancellationToken: ct));
        await conn.ExecuteAsync(new CommandDefinition("""
            DELETE FROM analysis.sprint_figures WHERE team_id = @teamId AND source_id = @sourceId;
            DELETE FROM analysis.sprint_item_outcomes WHERE team_id = @teamId AND source_id = @sourceId;
            """, new { teamId, sourceId }, tx, cancellationToken: ct));
        var f = results.Select(r => r.Figures).ToList();
        await conn.ExecuteAsync(new CommandDefinition("""
            INSERT INTO analysis.sprint_figures (team_id, source_id, sprint_id, basis, committed_points, completed_points, added_points,
                removed_points, carried_over_points, committed_count, completed_count, added_count, removed_count, carried_over_count,
                carried_over_twice_count, unestimated_count, say_do, capacity_days, computed_at)
            SELECT @teamId, @sourceId, u.* , @now
            FROM unnest(@ids, @basis, @cp, @dp, @ap, @rp, @op, @cc, @dc, @ac, @rc, @oc, @o2, @un, @sayDo, @cap) AS u
            """, new
        {
            teamId, sourceId, now,
            ids = f.Select(x => x.SprintId).ToArray(), basis = f.Select(x => x.BasisName).ToArray(),
            cp = f.Select(x => x.CommittedPoints).ToArray(), dp = f.Select(x => x.CompletedPoints).ToArray(),
            ap = f.Select(x => x.AddedPoints).ToArray(), rp = f.Select(x => x.RemovedPoints).ToArray(), op = f.Select(x => x.CarriedOverPoints).ToArray(),
            cc = f.Select(x => x.CommittedCount).ToArray(), dc = f.Select(x => x.CompletedCount).ToArray(), ac = f.Select(x => x.AddedCount).ToArray(),
            rc = f.Select(x => x.RemovedCount).ToArray(), oc = f.Select(x => x.CarriedOverCount).ToArray(), o2 = f.Select(x => x.CarriedOverTwiceCount).ToArray(),
            un = f.Select(x => x.UnestimatedCount).ToArray(), sayDo = f.Select(x => x.SayDo).ToArray(),
            cap = f.Select(x => capacity.GetValueOrDefault(x.SprintId)).ToArray(),
        }, tx, cancellationToken: ct));
        var o = results.SelectMany(r => r.Outcomes).ToList();
        await conn.ExecuteAsync(new CommandDefinition("""
            INSERT INTO analysis.sprint_item_outcomes (team_id, source_id, sprint_id, item_external_id, committed, added, removed, completed,
                carried_over, carry_count, points)
            SELECT @teamId, @sourceId, u.* FROM unnest(@sprint, @item, @committed, @added, @removed, @completed, @carried, @carryCount, @points) AS u
            """, new
        {
            teamId, sourceId,
            sprint = o.Select(x => x.SprintId).ToArray(), item = o.Select(x => x.ItemExternalId).ToArray(),
            committed = o.Select(x => x.Committed).ToArray(), added = o.Select(x => x.Added).ToArray(), removed = o.Select(x => x.Removed).ToArray(),
            completed = o.Select(x => x.Completed).ToArray(), carried = o.Select(x => x.CarriedOver).ToArray(),
            carryCount = o.Select(x => x.CarryCount).ToArray(), points = o.Select(x => x.Points).ToArray(),
        }, tx, cancellationToken: ct));

        if (recordSnapshots) await RecordSnapshotsAsync(conn, tx, teamId, sourceId, windows, results, items, observed, now, ct);
        await tx.CommitAsync(ct);
        return results.Count;
    }

    /// <summary>
    /// A sprint seen active for the first time: its committed scope and estimates now ('start'); seen closed for the first
    /// time: its outcome now ('end', marked as watched when its start was observed). Existing snapshots are never touched.
    /// </summary>
    private static async Task RecordSnapshotsAsync(NpgsqlConnection conn, NpgsqlTransaction tx, string teamId, string sourceId,
        IReadOnlyList<SprintWindow> windows, IReadOnlyList<SprintResult> results, IReadOnlyList<ItemHistory> items, Observed observed,
        DateTimeOffset now, CancellationToken ct)
    {
        var byId = items.ToDictionary(i => i.ExternalId, StringComparer.Ordinal);
        var bySprint = results.ToDictionary(r => r.Figures.SprintId, StringComparer.Ordinal);
        foreach (var w in windows)
        {
            if (!bySprint.TryGetValue(w.SprintId, out var r)) continue;
            string? phase = w.State switch
            {
                SprintState.Active when !observed.StartTaken.Contains(w.SprintId) => "start",
                SprintState.Closed when !observed.EndTaken.Contains(w.SprintId) => "end",
                _ => null,
            };
            if (phase is null) continue;
            bool watched = phase == "start" || observed.StartTaken.Contains(w.SprintId);
            var inserted = await conn.ExecuteAsync(new CommandDefinition("""
                INSERT INTO analysis.sprint_snapshots (team_id, source_id, sprint_id, phase, taken_at, watched_start)
                VALUES (@teamId, @sourceId, @sprintId, @phase, @now, @watched) ON CONFLICT DO NOTHING
                """, new { teamId, sourceId, sprintId = w.SprintId, phase, now, watched }, tx, cancellationToken: ct));
            if (inserted == 0) continue;
            var o = r.Outcomes;
            await conn.ExecuteAsync(new CommandDefinition("""
                INSERT INTO analysis.sprint_snapshot_items (team_id, source_id, sprint_id, phase, item_external_id, in_sprint, points,
                    status_category, committed, committed_points, added, removed, completed, end_points)
                SELECT @teamId, @sourceId, @sprintId, @phase, u.* FROM unnest(@item, @inSprint, @points, @status, @committed, @committedPoints,
                    @added, @removed, @completed, @endPoints) AS u
                ON CONFLICT DO NOTHING
                """, new
            {
                teamId, sourceId, sprintId = w.SprintId, phase,
                item = o.Select(x => x.ItemExternalId).ToArray(), inSprint = o.Select(x => x.InSprintAtEnd).ToArray(),
                points = o.Select(x => byId.TryGetValue(x.ItemExternalId, out var i) ? i.Points : null).ToArray(),
                status = o.Select(x => byId.TryGetValue(x.ItemExternalId, out var i) ? i.Status.Name() : StatusCategory.Todo.Name()).ToArray(),
                committed = o.Select(x => x.Committed).ToArray(), committedPoints = o.Select(x => x.CommittedPoints).ToArray(),
                added = o.Select(x => x.Added).ToArray(), removed = o.Select(x => x.Removed).ToArray(),
                completed = o.Select(x => x.Completed).ToArray(), endPoints = o.Select(x => x.Points).ToArray(),
            }, tx, cancellationToken: ct));
        }
    }

    private sealed record Observed(IReadOnlyDictionary<string, ObservedSprint> Sprints, HashSet<string> StartTaken, HashSet<string> EndTaken);

    private static async Task<Observed> LoadObservedAsync(NpgsqlConnection conn, string teamId, string sourceId, CancellationToken ct)
    {
        var snaps = (await conn.QueryAsync<SnapshotRow>(new CommandDefinition("""
            SELECT sprint_id, phase, watched_start FROM analysis.sprint_snapshots WHERE team_id = @teamId AND source_id = @sourceId
            """, new { teamId, sourceId }, cancellationToken: ct))).ToList();
        var rows = (await conn.QueryAsync<SnapshotItemRow>(new CommandDefinition("""
            SELECT i.sprint_id, i.phase, i.item_external_id, i.committed, i.committed_points, i.added, i.removed, i.completed, i.end_points
            FROM analysis.sprint_snapshot_items i
            JOIN analysis.sprint_snapshots s USING (team_id, source_id, sprint_id, phase)
            WHERE i.team_id = @teamId AND i.source_id = @sourceId AND s.watched_start
            """, new { teamId, sourceId }, cancellationToken: ct))).ToList();
        var start = snaps.Where(s => s.Phase == "start").Select(s => s.SprintId).ToHashSet(StringComparer.Ordinal);
        var end = snaps.Where(s => s.Phase == "end").Select(s => s.SprintId).ToHashSet(StringComparer.Ordinal);
        var watched = snaps.Where(s => s.WatchedStart).Select(s => s.SprintId).ToHashSet(StringComparer.Ordinal);
        var result = new Dictionary<string, ObservedSprint>(StringComparer.Ordinal);
        foreach (var id in watched)
        {
            Dictionary<string, ObservedItem>? Phase(string phase, bool exists) => !exists ? null : rows.Where(r => r.SprintId == id && r.Phase == phase)
                .ToDictionary(r => r.ItemExternalId, r => new ObservedItem(r.Committed, r.CommittedPoints, r.Added, r.Removed, r.Completed, r.EndPoints), StringComparer.Ordinal);
            // Only an end snapshot of a sprint whose start was watched is an observation of the whole sprint.
            bool endWatched = snaps.Exists(s => s.SprintId == id && s.Phase == "end" && s.WatchedStart);
            result[id] = new ObservedSprint(Phase("start", start.Contains(id)), Phase("end", endWatched));
        }
        return new Observed(result, start, end);
    }

    /// <summary>Every item that is or was in one of the team's sprints, with its events.</summary>
    internal static Task<List<ItemHistory>> LoadHistoriesAsync(NpgsqlConnection conn, string sourceId, string[] sprintIds, CancellationToken ct) =>
        LoadHistoriesAsync(conn, sourceId, """
            WITH ids AS (
                -- sprint_items mirrors work_items.sprint_ids; each part reads an index (V0010), not every item of the source
                SELECT item_external_id AS id FROM core.sprint_items WHERE source_id = @sourceId AND sprint_id = ANY(@sprintIds)
                UNION
                SELECT external_id FROM core.work_items WHERE source_id = @sourceId AND sprint_id = ANY(@sprintIds)
                UNION
                SELECT item_external_id FROM core.item_events
                 WHERE source_id = @sourceId AND kind IN ('sprintAdded', 'sprintRemoved') AND coalesce(to_value, from_value) = ANY(@sprintIds))
            SELECT w.external_id, w.key, w.team_id, w.created_at, w.story_points, w.status_category, w.sprint_ids, w.sprint_id, w.deleted, w.synced_at
            FROM ids JOIN core.work_items w ON w.source_id = @sourceId AND w.external_id = ids.id
            """, new { sourceId, sprintIds }, ct);

    /// <summary>The items of a source with these external ids, with their events (the planning intervals' blockers).</summary>
    internal static Task<List<ItemHistory>> LoadHistoriesByIdAsync(NpgsqlConnection conn, string sourceId, string[] ids, CancellationToken ct) =>
        LoadHistoriesAsync(conn, sourceId, """
            SELECT w.external_id, w.key, w.team_id, w.created_at, w.story_points, w.status_category, w.sprint_ids, w.sprint_id, w.deleted, w.synced_at
            FROM core.work_items w WHERE w.source_id = @sourceId AND w.external_id = ANY(@ids)
            """, new { sourceId, ids }, ct);

    private static async Task<List<ItemHistory>> LoadHistoriesAsync(NpgsqlConnection conn, string sourceId, string itemsSql, object parameters, CancellationToken ct)
    {
        var rows = (await conn.QueryAsync<ItemRow>(new CommandDefinition(itemsSql, parameters, cancellationToken: ct))).ToList();
        var ids = rows.Select(r => r.ExternalId).ToArray();
        var events = (await conn.QueryAsync<EventRow>(new CommandDefinition("""
            SELECT item_external_id, event_id, at, kind, from_value, to_value FROM core.item_events
            WHERE source_id = @sourceId AND item_external_id = ANY(@ids)
            ORDER BY item_external_id, at, event_id
            """, new { sourceId, ids }, cancellationToken: ct))).ToLookup(e => e.ItemExternalId, StringComparer.Ordinal);
        return rows.Select(r => new ItemHistory
        {
            ExternalId = r.ExternalId,
            Key = r.Key,
            TeamId = r.TeamId,
            CreatedAt = Utc(r.CreatedAt)!.Value,
            Points = r.StoryPoints,
            Status = SprintCalculator.ParseStatus(r.StatusCategory) ?? StatusCategory.Todo,
            SprintIds = (r.SprintIds ?? []).Concat(r.SprintId is null ? [] : [r.SprintId]).ToHashSet(StringComparer.Ordinal),
            DeletedAt = r.Deleted ? Utc(r.SyncedAt) : null,
            Events = events[r.ExternalId].Select(e => new ItemEvent
            {
                SourceId = sourceId, ItemExternalId = e.ItemExternalId, EventId = e.EventId, At = Utc(e.At)!.Value,
                Kind = e.Kind switch
                {
                    "sprintAdded" => ItemEventKind.SprintAdded, "sprintRemoved" => ItemEventKind.SprintRemoved,
                    "estimateChanged" => ItemEventKind.EstimateChanged, _ => ItemEventKind.StatusChanged,
                },
                From = e.FromValue, To = e.ToValue,
            }).ToList(),
        }).ToList();
    }

    /// <summary>Available person-days per sprint (<see cref="CapacityCalculator"/>); missing when unknown.</summary>
    internal static async Task<Dictionary<string, double?>> CapacityAsync(NpgsqlConnection conn, AlignmentOptions options, string? kind, string teamId, string sourceId,
        IReadOnlyList<SprintWindow> windows, CancellationToken ct)
    {
        var result = new Dictionary<string, double?>(StringComparer.Ordinal);
        if (kind == "azureDevOps")
        {
            var rows = (await conn.QueryAsync<CapacityRow>(new CommandDefinition("""
                SELECT sprint_id, member, hours_per_day, available_days FROM core.capacities WHERE team_id = @teamId AND source_id = @sourceId
                """, new { teamId, sourceId }, cancellationToken: ct))).ToLookup(r => r.SprintId, StringComparer.Ordinal);
            foreach (var w in windows)
                result[w.SprintId] = CapacityCalculator.AzureDevOps(rows[w.SprintId].Select(r => new MemberCapacity(r.Member, r.HoursPerDay, r.AvailableDays)).ToList());
            return result;
        }
        var team = options.Teams.Find(t => t.Id == teamId);
        if (team?.Capacity is not { } cap) return result;
        var absences = (await AbsenceStore.ListAsync(conn, teamId, ct)).ToList();
        var members = cap.Members.Select(m => new CapacityMember(m.Name, m.HoursPerDay)).ToList();
        foreach (var w in windows)
            result[w.SprintId] = CapacityCalculator.Jira(members, cap.FocusFactor, cap.WorkingDays, w.Start, w.End, absences);
        return result;
    }

    /// <summary>A stored sprint state name; an unknown one is taken as future.</summary>
    public static SprintState ParseState(string s) => DomainNames.TryParse<SprintState>(s, out var state) ? state : SprintState.Future;

    public static DateTimeOffset? Utc(DateTime? d) => d is { } v ? new DateTimeOffset(DateTime.SpecifyKind(v, DateTimeKind.Utc)) : null;

    private sealed class SprintRow
    {
        public string ExternalId { get; set; } = "";
        public string Name { get; set; } = "";
        public string State { get; set; } = "";
        public DateTime? StartAt { get; set; }
        public DateTime? EndAt { get; set; }
        public DateTime? CompletedAt { get; set; }
        public bool Shared { get; set; }
    }

    private sealed class ItemRow
    {
        public string ExternalId { get; set; } = "";
        public string Key { get; set; } = "";
        public string? TeamId { get; set; }
        public DateTime CreatedAt { get; set; }
        public double? StoryPoints { get; set; }
        public string StatusCategory { get; set; } = "";
        public string[]? SprintIds { get; set; }
        public string? SprintId { get; set; }
        public bool Deleted { get; set; }
        public DateTime SyncedAt { get; set; }
    }

    private sealed class EventRow
    {
        public string ItemExternalId { get; set; } = "";
        public string EventId { get; set; } = "";
        public DateTime At { get; set; }
        public string Kind { get; set; } = "";
        public string? FromValue { get; set; }
        public string? ToValue { get; set; }
    }

    private sealed class SnapshotRow
    {
        public string SprintId { get; set; } = "";
        public string Phase { get; set; } = "";
        public bool WatchedStart { get; set; }
    }

    private sealed class SnapshotItemRow
    {
        public string SprintId { get; set; } = "";
        public string Phase { get; set; } = "";
        public string ItemExternalId { get; set; } = "";
        public bool Committed { get; set; }
        public double? CommittedPoints { get; set; }
        public bool Added { get; set; }
        public bool Removed { get; set; }
        public bool Completed { get; set; }
        public double? EndPoints { get; set; }
    }

    private sealed class CapacityRow
    {
        public string SprintId { get; set; } = "";
        public string Member { get; set; } = "";
        public double HoursPerDay { get; set; }
        public double AvailableDays { get; set; }
    }
}
