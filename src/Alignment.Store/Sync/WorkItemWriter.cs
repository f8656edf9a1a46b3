using Dapper;
using Npgsql;
using NpgsqlTypes;

namespace Alignment.Store.Sync;

/// <summary>
/// Writes what collectors deliver. Each batch is one transaction: items, their sprint membership, the
/// links they report, their history events and raw payloads, and (on the last batch of a scope) the
/// new watermark. A batch that fails leaves nothing behind.
/// </summary>
public sealed class WorkItemWriter(NpgsqlDataSource dataSource)
{
    private static readonly BulkTable<WorkItem> Items = new("core.work_items", ["source_id", "external_id"],
    [
        new("source_id", NpgsqlDbType.Text, i => i.SourceId),
        new("external_id", NpgsqlDbType.Text, i => i.ExternalId),
        new("key", NpgsqlDbType.Text, i => StoreText.Clean(i.Key)),
        new("url", NpgsqlDbType.Text, i => StoreText.Clean(i.Url)),
        new("type", NpgsqlDbType.Text, i => i.Type.Name()),
        new("original_type", NpgsqlDbType.Text, i => StoreText.Clean(i.OriginalType)),
        new("title", NpgsqlDbType.Text, i => StoreText.Clean(i.Title)),
        new("status", NpgsqlDbType.Text, i => StoreText.Clean(i.Status)),
        new("status_category", NpgsqlDbType.Text, i => i.StatusCategory.Name()),
        new("story_points", NpgsqlDbType.Double, i => i.StoryPoints),
        new("team_id", NpgsqlDbType.Text, i => i.TeamId),
        new("sprint_id", NpgsqlDbType.Text, i => i.SprintId),
        new("parent_key", NpgsqlDbType.Text, i => StoreText.Clean(i.ParentKey)),
        new("rank", NpgsqlDbType.Text, i => StoreText.Clean(i.Rank)),
        new("priority", NpgsqlDbType.Text, i => StoreText.Clean(i.Priority)),
        new("assignee", NpgsqlDbType.Text, i => StoreText.Clean(i.Assignee)),
        new("created_at", NpgsqlDbType.TimestampTz, i => i.CreatedAt.UtcDateTime),
        new("updated_at", NpgsqlDbType.TimestampTz, i => i.UpdatedAt.UtcDateTime),
        new("resolved_at", NpgsqlDbType.TimestampTz, i => i.ResolvedAt?.UtcDateTime),
        new("due_date", NpgsqlDbType.Date, i => i.DueDate),
        new("labels", NpgsqlDbType.Array | NpgsqlDbType.Text, i => StoreText.Clean(i.Labels)),
        new("sprint_ids", NpgsqlDbType.Array | NpgsqlDbType.Text, i => i.SprintIds.ToArray()),
        new("business_value", NpgsqlDbType.Double, i => i.Value?.BusinessValue),
        new("time_criticality", NpgsqlDbType.Double, i => i.Value?.TimeCriticality),
        new("risk_reduction", NpgsqlDbType.Double, i => i.Value?.RiskReduction),
        new("job_size", NpgsqlDbType.Double, i => i.Value?.JobSize),
        new("budget", NpgsqlDbType.Double, i => i.Value?.Budget),
        new("deleted", NpgsqlDbType.Boolean, _ => false),
    ], touchOnUpdate: "synced_at = now()");

    private static readonly BulkTable<(string Source, string Sprint, string Item)> Membership = new("core.sprint_items",
        ["source_id", "sprint_id", "item_external_id"],
    [
        new("source_id", NpgsqlDbType.Text, m => m.Source),
        new("sprint_id", NpgsqlDbType.Text, m => m.Sprint),
        new("item_external_id", NpgsqlDbType.Text, m => m.Item),
    ], updateOnConflict: false);

    private static readonly string[] LinkKey =
        ["reporter_source_id", "reporter_external_id", "from_source_id", "from_key", "to_source_id", "to_key", "kind"];

    private static readonly BulkTable<WorkItemLink> Links = new("core.links", LinkKey,
    [
        new("reporter_source_id", NpgsqlDbType.Text, l => l.ReporterSourceId),
        new("reporter_external_id", NpgsqlDbType.Text, l => l.ReporterExternalId),
        new("from_source_id", NpgsqlDbType.Text, l => l.FromSourceId),
        new("from_key", NpgsqlDbType.Text, l => StoreText.Clean(l.FromKey)),
        new("to_source_id", NpgsqlDbType.Text, l => l.ToSourceId ?? ""),
        new("to_key", NpgsqlDbType.Text, l => StoreText.Clean(l.ToKey)),
        new("kind", NpgsqlDbType.Text, l => l.Kind.Name()),
        new("origin", NpgsqlDbType.Text, l => l.Origin.Name()),
        new("to_url", NpgsqlDbType.Text, l => StoreText.Clean(l.ToUrl)),
    ]);

    private static readonly BulkTable<ItemEvent> Events = new("core.item_events", ["source_id", "item_external_id", "event_id"],
    [
        new("source_id", NpgsqlDbType.Text, e => e.SourceId),
        new("item_external_id", NpgsqlDbType.Text, e => e.ItemExternalId),
        new("event_id", NpgsqlDbType.Text, e => e.EventId),
        new("at", NpgsqlDbType.TimestampTz, e => e.At.UtcDateTime),
        new("kind", NpgsqlDbType.Text, e => e.Kind.Name()),
        new("from_value", NpgsqlDbType.Text, e => StoreText.Clean(e.From)),
        new("to_value", NpgsqlDbType.Text, e => StoreText.Clean(e.To)),
    ]);

    private static readonly BulkTable<RawPayload> Raw = new("raw.item_payloads", ["source_id", "external_id"],
    [
        new("source_id", NpgsqlDbType.Text, r => r.SourceId),
        new("external_id", NpgsqlDbType.Text, r => r.ExternalId),
        new("payload", NpgsqlDbType.Jsonb, r => StoreText.CleanJson(r.Payload)),
    ], touchOnUpdate: "fetched_at = now()");

    private static readonly BulkTable<Sprint> Sprints = new("core.sprints", ["source_id", "external_id"],
    [
        new("source_id", NpgsqlDbType.Text, s => s.SourceId),
        new("external_id", NpgsqlDbType.Text, s => s.ExternalId),
        new("name", NpgsqlDbType.Text, s => StoreText.Clean(s.Name)),
        new("state", NpgsqlDbType.Text, s => s.State.Name()),
        new("start_at", NpgsqlDbType.TimestampTz, s => s.StartAt?.UtcDateTime),
        new("end_at", NpgsqlDbType.TimestampTz, s => s.EndAt?.UtcDateTime),
        new("completed_at", NpgsqlDbType.TimestampTz, s => s.CompletedAt?.UtcDateTime),
        new("goal", NpgsqlDbType.Text, s => StoreText.Clean(s.Goal)),
        new("path", NpgsqlDbType.Text, s => StoreText.Clean(s.Path)),
    ], touchOnUpdate: "updated_at = now()");

    private static readonly BulkTable<(string Source, TeamCapacity C)> Capacities = new("core.capacities", ["team_id", "source_id", "sprint_id", "member"],
    [
        new("team_id", NpgsqlDbType.Text, c => c.C.TeamId),
        new("source_id", NpgsqlDbType.Text, c => c.Source),
        new("sprint_id", NpgsqlDbType.Text, c => c.C.SprintExternalId),
        new("member", NpgsqlDbType.Text, c => StoreText.Clean(c.C.Member)),
        new("hours_per_day", NpgsqlDbType.Double, c => c.C.HoursPerDay),
        new("available_days", NpgsqlDbType.Double, c => c.C.AvailableDays),
        new("days_off", NpgsqlDbType.Integer, c => c.C.DaysOff),
    ]);

    public sealed record BatchResult(int ItemsRead, int ItemsChanged);

    /// <summary>
    /// Writes one batch of one source in one transaction. <paramref name="watermarkTeam"/> names the scope whose
    /// watermark the batch may carry ("" for the source itself). On a <paramref name="firstRead"/> of a scope the
    /// rows are first copied straight into the tables; if any of them already exists (an item that moved teams),
    /// that attempt is rolled back to a savepoint and the batch is merged as usual.
    /// </summary>
    public async Task<BatchResult> WriteAsync(string sourceId, string watermarkTeam, SyncBatch batch, CancellationToken ct, bool firstRead = false)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        if (IsOnlyAWatermark(batch))
        {
            // The last batch of an unchanged scope: one statement, atomic on its own, no transaction round trips.
            if (batch.WatermarkAfter is not null) await WriteWatermarkAsync(conn, sourceId, watermarkTeam, batch, ct);
            return new BatchResult(0, 0);
        }
        await using var tx = await conn.BeginTransactionAsync(ct);
        var changed = 0;
        // What the analysis reads again (ItemChangeLog): items whose row changed, reporters whose links changed, items with new events.
        var changedItems = new ChangedRows("external_id");
        var direct = firstRead && batch.Items.Count > 0 && await TryCopyNewAsync(conn, batch, ct);
        if (direct) changed = batch.Items.Select(i => i.ExternalId).Distinct().Count();
        else if (batch.Items.Count > 0)
        {
            await FreeKeysAsync(conn, sourceId, batch.Items, ct);
            changed = await Items.UpsertAsync(conn, batch.Items, ct, changedItems);
            var ids = batch.Items.Select(i => i.ExternalId).Distinct().ToArray();
            var membership = Membership.StageAsync(conn,
                batch.Items.SelectMany(i => i.SprintIds.Distinct().Select(s => (i.SourceId, s, i.ExternalId))), ct);
            var staged = await membership;
            await conn.ExecuteAsync(new CommandDefinition($"""
                DELETE FROM core.sprint_items s
                WHERE s.source_id = @sourceId AND s.item_external_id = ANY(@ids)
                  AND NOT EXISTS (SELECT 1 FROM {staged} n WHERE n.sprint_id = s.sprint_id AND n.item_external_id = s.item_external_id)
                """, new { sourceId, ids }, cancellationToken: ct));
            await Membership.MergeAsync(conn, staged, ct);
        }

        var reporters = (batch.LinkReporters ?? batch.Items.Select(i => i.ExternalId).ToList()).Distinct().ToArray();
        var changedReporters = new ChangedRows("reporter_external_id");
        if (!direct && (reporters.Length > 0 || batch.Links.Count > 0))
        {
            var staged = await Links.StageAsync(conn, batch.Links, ct);
            changedReporters.Values.AddRange(await conn.QueryAsync<string>(new CommandDefinition($"""
                DELETE FROM core.links l
                WHERE l.reporter_source_id = @sourceId AND l.reporter_external_id = ANY(@reporters)
                  AND NOT (l.origin = 'remoteLink' AND l.reporter_external_id = ANY(@remoteNotRead))
                  AND NOT EXISTS (SELECT 1 FROM {staged} n
                                  WHERE n.reporter_source_id = l.reporter_source_id AND n.reporter_external_id = l.reporter_external_id
                                    AND n.from_source_id = l.from_source_id AND n.from_key = l.from_key
                                    AND n.to_source_id = l.to_source_id AND n.to_key = l.to_key AND n.kind = l.kind)
                RETURNING l.reporter_external_id
                """, new { sourceId, reporters, remoteNotRead = batch.RemoteLinksNotRead.ToArray() }, cancellationToken: ct)));
            await Links.MergeAsync(conn, staged, ct, changedReporters);
        }

        var changedEvents = new ChangedRows("item_external_id");
        if (!direct && batch.Events.Count > 0) await Events.UpsertAsync(conn, batch.Events, ct, changedEvents);
        if (!direct && batch.Raw.Count > 0) await Raw.UpsertAsync(conn, batch.Raw, ct);

        await QuarantineAsync(conn, sourceId, watermarkTeam, batch, ct);
        await ItemChangeLog.AppendAsync(conn, sourceId, direct
            ? batch.Items.Select(i => i.ExternalId).Concat(reporters).Concat(batch.Events.Select(e => e.ItemExternalId))
            : changedItems.Values.Concat(changedReporters.Values).Concat(changedEvents.Values), ct);

        if (batch.WatermarkAfter is not null) await WriteWatermarkAsync(conn, sourceId, watermarkTeam, batch, ct);
        await tx.CommitAsync(ct);
        return new BatchResult(batch.Items.Count, changed);
    }

    /// <summary>A batch that carries nothing but (possibly) the scope's new watermark: no items, links, events or quarantine.</summary>
    public static bool IsOnlyAWatermark(SyncBatch b) =>
        b.Items.Count == 0 && b.Links.Count == 0 && b.Events.Count == 0 && b.Raw.Count == 0 && b.Quarantined.Count == 0
        && (b.LinkReporters is null || b.LinkReporters.Count == 0);

    /// <summary>
    /// The watermarks (and collector states) of team scopes whose last batch carried nothing else, written together at the end of the
    /// run's teams in one statement instead of one round trip per team (an unchanged incremental sync is otherwise mostly these).
    /// A run that dies before leaves those teams' watermarks where they were: they are read again, which is safe.
    /// </summary>
    public async Task WriteWatermarksAsync(string sourceId, IReadOnlyCollection<(string Team, SyncBatch Batch, string? SprintsHash)> scopes,
        CancellationToken ct)
    {
        if (scopes.Count == 0) return;
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition("""
            INSERT INTO ops.watermarks (source_id, team_id, value, scope_state, sprints_hash)
            SELECT @sourceId, t.team, t.value, t.state, t.hash FROM unnest(@teams, @values, @states, @hashes) AS t(team, value, state, hash)
            ON CONFLICT (source_id, team_id) DO UPDATE SET value = EXCLUDED.value,
                scope_state = COALESCE(EXCLUDED.scope_state, ops.watermarks.scope_state),
                sprints_hash = COALESCE(EXCLUDED.sprints_hash, ops.watermarks.sprints_hash), updated_at = now()
            """, new
            {
                sourceId, teams = scopes.Select(s => s.Team).ToArray(), values = scopes.Select(s => s.Batch.WatermarkAfter!).ToArray(),
                states = scopes.Select(s => s.Batch.ScopeStateAfter).ToArray(), hashes = scopes.Select(s => s.SprintsHash).ToArray(),
            }, cancellationToken: ct));
    }

    /// <summary>The scope's watermark (and collector state) once its last batch is written; "" is the source itself.</summary>
    private static Task WriteWatermarkAsync(NpgsqlConnection conn, string sourceId, string watermarkTeam, SyncBatch batch, CancellationToken ct) =>
        watermarkTeam.Length == 0
            ? conn.ExecuteAsync(new CommandDefinition(
                "UPDATE core.sources SET watermark = @value, updated_at = now() WHERE id = @sourceId",
                new { sourceId, value = batch.WatermarkAfter }, cancellationToken: ct))
            : conn.ExecuteAsync(new CommandDefinition("""
                INSERT INTO ops.watermarks (source_id, team_id, value, scope_state) VALUES (@sourceId, @team, @value, @state)
                ON CONFLICT (source_id, team_id) DO UPDATE SET value = EXCLUDED.value,
                    scope_state = COALESCE(EXCLUDED.scope_state, ops.watermarks.scope_state), updated_at = now()
                """, new { sourceId, team = watermarkTeam, value = batch.WatermarkAfter, state = batch.ScopeStateAfter }, cancellationToken: ct));

    private const int MaxQuarantinedBody = 1 << 20;

    /// <summary>
    /// In the batch's transaction: items written now leave the quarantine; items that failed enter it (or stay,
    /// one open row per item, with the latest reason and a count of attempts). docs/reliability.md, "Quarantine".
    /// </summary>
    private static async Task QuarantineAsync(NpgsqlConnection conn, string sourceId, string teamId, SyncBatch batch, CancellationToken ct)
    {
        if (batch.Items.Count > 0)
            await conn.ExecuteAsync(new CommandDefinition("""
                UPDATE raw.failed_payloads SET resolved_at = now()
                WHERE kind = 'item' AND resolved_at IS NULL AND source_id = @sourceId AND external_id = ANY(@ids)
                """, new { sourceId, ids = batch.Items.Select(i => i.ExternalId).ToArray() }, cancellationToken: ct));
        if (batch.Quarantined.Count == 0) return;
        var rows = batch.Quarantined.GroupBy(q => q.ExternalId).Select(g => g.Last()).Select(q => new
        {
            sourceId, team = teamId.Length == 0 ? null : teamId, externalId = StoreText.Clean(q.ExternalId), key = StoreText.Clean(q.Key),
            request = StoreText.Clean(q.Request), path = StoreText.Clean(q.Path), reason = StoreText.Clean(q.Reason),
            body = StoreText.Clean(q.Body.Length > MaxQuarantinedBody ? q.Body[..MaxQuarantinedBody] : q.Body),
        });
        await conn.ExecuteAsync(new CommandDefinition("""
            INSERT INTO raw.failed_payloads (source_id, request, error, body, kind, team_id, external_id, item_key, json_path)
            VALUES (@sourceId, @request, @reason, @body, 'item', @team, @externalId, @key, @path)
            ON CONFLICT (source_id, external_id) WHERE kind = 'item' AND resolved_at IS NULL
            DO UPDATE SET request = EXCLUDED.request, error = EXCLUDED.error, body = EXCLUDED.body, team_id = EXCLUDED.team_id,
                item_key = EXCLUDED.item_key, json_path = EXCLUDED.json_path,
                attempts = raw.failed_payloads.attempts + 1, last_seen_at = now()
            """, rows, cancellationToken: ct));
    }

    /// <summary>Copies a batch whose items are all new straight into the tables; false (and nothing written) when one exists already.</summary>
    private static async Task<bool> TryCopyNewAsync(NpgsqlConnection conn, SyncBatch batch, CancellationToken ct)
    {
        await using (var save = new NpgsqlCommand("SAVEPOINT first_read", conn)) await save.ExecuteNonQueryAsync(ct);
        try
        {
            var items = batch.Items.GroupBy(i => i.ExternalId).Select(g => g.Last()).ToList();
            await Items.CopyDirectAsync(conn, items, ct);
            await Membership.CopyDirectAsync(conn, items.SelectMany(i => i.SprintIds.Distinct().Select(s => (i.SourceId, s, i.ExternalId))), ct);
            await Links.CopyDirectAsync(conn, batch.Links
                .GroupBy(l => (l.ReporterSourceId, l.ReporterExternalId, l.FromSourceId, l.FromKey, l.ToSourceId ?? "", l.ToKey, l.Kind))
                .Select(g => g.Last()), ct);
            await Events.CopyDirectAsync(conn, batch.Events.GroupBy(e => (e.SourceId, e.ItemExternalId, e.EventId)).Select(g => g.Last()), ct);
            await Raw.CopyDirectAsync(conn, batch.Raw.GroupBy(r => (r.SourceId, r.ExternalId)).Select(g => g.Last()), ct);
            await using var release = new NpgsqlCommand("RELEASE SAVEPOINT first_read", conn);
            await release.ExecuteNonQueryAsync(ct);
            return true;
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            await using var rollback = new NpgsqlCommand("ROLLBACK TO SAVEPOINT first_read", conn);
            await rollback.ExecuteNonQueryAsync(ct);
            return false;
        }
    }

    /// <summary>
    /// Writes a team's sprints, its team↔sprint mapping and capacities in one transaction: as one batch of statements (one
    /// round trip) when each part is small, which is every team's case on an incremental sync.
    /// </summary>
    public async Task WriteSprintsAsync(string sourceId, string teamId, TeamSprints sprints, CancellationToken ct)
    {
        if (sprints.Sprints.Count == 0 && sprints.Capacities.Count == 0 && sprints.Intervals is null) return;
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        var capacities = sprints.Capacities.Select(c => (sourceId, c)).ToList();
        var sprintUpsert = Sprints.BatchUpsert(sprints.Sprints);
        var capacityUpsert = Capacities.BatchUpsert(capacities);
        if ((sprints.Sprints.Count == 0 || sprintUpsert is not null) && (capacities.Count == 0 || capacityUpsert is not null))
        {
            await using var batch = new NpgsqlBatch(conn);
            if (sprintUpsert is not null) batch.BatchCommands.Add(sprintUpsert);
            if (sprints.Sprints.Count > 0) batch.BatchCommands.Add(TeamSprintsCommand(sourceId, teamId, sprints));
            if (capacityUpsert is not null) batch.BatchCommands.Add(capacityUpsert);
            foreach (var c in TeamIntervalsCommands(sourceId, teamId, sprints)) batch.BatchCommands.Add(c);
            await batch.ExecuteNonQueryAsync(ct);
            return;
        }
        await using var tx = await conn.BeginTransactionAsync(ct);
        if (sprints.Sprints.Count > 0)
        {
            await Sprints.UpsertAsync(conn, sprints.Sprints, ct);
            await using var map = new NpgsqlBatch(conn) { BatchCommands = { TeamSprintsCommand(sourceId, teamId, sprints) } };
            await map.ExecuteNonQueryAsync(ct);
        }
        if (capacities.Count > 0) await Capacities.UpsertAsync(conn, capacities, ct);
        if (sprints.Intervals is not null)
        {
            await using var intervals = new NpgsqlBatch(conn);
            foreach (var c in TeamIntervalsCommands(sourceId, teamId, sprints)) intervals.BatchCommands.Add(c);
            await intervals.ExecuteNonQueryAsync(ct);
        }
        await tx.CommitAsync(ct);
    }

    /// <summary>
    /// Records on the team's watermark row the hash of the sprint answer this run wrote (after it committed; a run that dies before leaves the
    /// old hash, and the answer is written again). For a team whose last batch wrote its watermark; the others' go with
    /// <see cref="WriteWatermarksAsync"/>.
    /// </summary>
    public async Task RecordSprintsHashAsync(string sourceId, string teamId, string hash, CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition("UPDATE ops.watermarks SET sprints_hash = @hash WHERE source_id = @sourceId AND team_id = @teamId",
            new { hash, sourceId, teamId }, cancellationToken: ct));
    }

    /// <summary>A SHA-256 of a collector's sprint answer (sprints, capacities, in its order): equal answers, equal hashes.</summary>
    public static string SprintsHash(TeamSprints sprints) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(sprints)));

    private static NpgsqlBatchCommand TeamSprintsCommand(string sourceId, string teamId, TeamSprints sprints) => new("""
        INSERT INTO core.team_sprints (team_id, source_id, sprint_id)
        SELECT @teamId, @sourceId, unnest(@ids) ON CONFLICT DO NOTHING
        """)
    {
        Parameters =
        {
            new NpgsqlParameter("teamId", teamId), new NpgsqlParameter("sourceId", sourceId),
            new NpgsqlParameter("ids", sprints.Sprints.Select(s => s.ExternalId).Distinct().ToArray()),
        },
    };

    /// <summary>
    /// A key the tracker now gives to another item (a Jira project deleted and created again restarts its numbers) is taken from the stored
    /// item that had it: that row's key becomes <c>KEY~external-id</c> (no tracker key contains <c>~</c>), so the unique (source, key) index
    /// does not fail the batch; the row is updated with its own new key when the tracker returns it, or marked deleted by the next full sync.
    /// docs/reliability.md, "Keys that move".
    /// </summary>
    private static async Task FreeKeysAsync(NpgsqlConnection conn, string sourceId, IReadOnlyList<WorkItem> items, CancellationToken ct)
    {
        var claims = items.DistinctBy(i => i.Key, StringComparer.Ordinal).ToList();
        var moved = (await conn.QueryAsync<string>(new CommandDefinition("""
            UPDATE core.work_items w SET key = w.key || '~' || w.external_id, synced_at = now()
            FROM unnest(@keys::text[], @ids::text[]) AS n(key, external_id)
            WHERE w.source_id = @sourceId AND w.key = n.key AND w.external_id <> n.external_id
            RETURNING w.external_id
            """, new { sourceId, keys = claims.Select(i => i.Key).ToArray(), ids = claims.Select(i => i.ExternalId).ToArray() },
            cancellationToken: ct))).ToList();
        if (moved.Count > 0) await ItemChangeLog.AppendAsync(conn, sourceId, moved, ct);
    }

    /// <summary>The team's planning intervals from its tracker, replacing the stored ones (docs/figures.md, "Intervals from the trackers").</summary>
    private static IEnumerable<NpgsqlBatchCommand> TeamIntervalsCommands(string sourceId, string teamId, TeamSprints sprints)
    {
        if (sprints.Intervals is not { } intervals) yield break;
        yield return new NpgsqlBatchCommand("DELETE FROM core.team_intervals WHERE team_id = @teamId")
        {
            Parameters = { new NpgsqlParameter("teamId", teamId) },
        };
        foreach (var iv in intervals)
            yield return new NpgsqlBatchCommand("""
                INSERT INTO core.team_intervals (team_id, source_id, interval_id, start_day, end_day, sprint_ids)
                VALUES (@teamId, @sourceId, @id, @start, @end, @sprints)
                """)
            {
                Parameters =
                {
                    new NpgsqlParameter("teamId", teamId), new NpgsqlParameter("sourceId", sourceId), new NpgsqlParameter("id", iv.Id),
                    new NpgsqlParameter("start", iv.Start), new NpgsqlParameter("end", iv.End),
                    new NpgsqlParameter("sprints", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = iv.SprintIds?.ToArray() ?? (object)DBNull.Value },
                },
            };
    }

    /// <summary>After a full read of a team scope: items of the team that the tracker no longer returned are marked deleted.</summary>
    public async Task<int> MarkVanishedAsync(string sourceId, string teamId, IReadOnlyCollection<string> seen, CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var vanished = (await conn.QueryAsync<string>(new CommandDefinition("""
            UPDATE core.work_items SET deleted = true, synced_at = now()
            WHERE source_id = @sourceId AND team_id = @teamId AND NOT deleted AND NOT (external_id = ANY(@seen))
            RETURNING external_id
            """, new { sourceId, teamId, seen = seen.ToArray() }, cancellationToken: ct, commandTimeout: 600))).ToList();
        await ItemChangeLog.AppendAsync(conn, sourceId, vanished, ct);
        await tx.CommitAsync(ct);
        return vanished.Count;
    }
}
