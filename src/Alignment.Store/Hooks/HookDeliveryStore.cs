using Alignment.Domain.Hooks;
using Dapper;
using Npgsql;

namespace Alignment.Store.Hooks;

/// <summary>
/// <c>ops.hook_deliveries</c> (V0020, docs/webhooks.md): recorded before a delivery is acknowledged, deduplicated by the tracker's delivery id,
/// processed by the hook job, retried with back-off while it fails.
/// </summary>
public sealed class HookDeliveryStore(NpgsqlDataSource db)
{
    /// <summary>A failing delivery is given up (status failed) after this many attempts; the next poll reads what it named.</summary>
    public const int MaxAttempts = 8;
    /// <summary>Processed and failed deliveries are kept this long (the status endpoint and diagnosis), then pruned.</summary>
    public static readonly TimeSpan Retention = TimeSpan.FromDays(7);

    public static string Name(HookDeliveryStatus s) => s switch
    {
        HookDeliveryStatus.Processed => "processed",
        HookDeliveryStatus.Failed => "failed",
        _ => "pending",
    };

    /// <summary>Records a delivery once; false when the tracker sent this delivery id before (a retry or a duplicate).</summary>
    public async Task<bool> InsertAsync(HookDelivery d, DateTimeOffset now, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var id = await conn.ExecuteScalarAsync<long?>(new CommandDefinition("""
            INSERT INTO ops.hook_deliveries (source_id, delivery_id, event_type, item_ids, item_keys, sprint_ids, board_ids, projects, deleted,
                                             received_at, next_attempt_at)
            VALUES (@SourceId, @DeliveryId, @EventType, @ItemIds, @ItemKeys, @SprintIds, @BoardIds, @Projects, @Deleted, @now, @now)
            ON CONFLICT (source_id, delivery_id) DO NOTHING
            RETURNING id
            """, new
        {
            d.SourceId, d.DeliveryId, d.EventType, ItemIds = d.ItemIds.ToArray(), ItemKeys = d.ItemKeys.ToArray(), SprintIds = d.SprintIds.ToArray(),
            BoardIds = d.BoardIds.ToArray(), Projects = d.Projects.ToArray(), d.Deleted, now,
        }, cancellationToken: ct));
        return id is not null;
    }

    /// <summary>When the oldest delivery of the source that is due now was received; null when none is due.</summary>
    public async Task<DateTimeOffset?> OldestDueAsync(string sourceId, DateTimeOffset now, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var oldest = await conn.ExecuteScalarAsync<DateTime?>(new CommandDefinition("""
            SELECT min(received_at) FROM ops.hook_deliveries WHERE source_id = @sourceId AND status = 'pending' AND next_attempt_at <= @now
            """, new { sourceId, now }, cancellationToken: ct));
        return oldest is { } at ? Utc(at) : null;
    }

    /// <summary>Up to <paramref name="limit"/> deliveries of the source that are due, oldest first.</summary>
    public async Task<IReadOnlyList<PendingHookDelivery>> DueAsync(string sourceId, DateTimeOffset now, int limit, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var rows = await conn.QueryAsync<Row>(new CommandDefinition("""
            SELECT id, source_id, delivery_id, event_type, item_ids, item_keys, sprint_ids, board_ids, projects, deleted, received_at, attempts
            FROM ops.hook_deliveries
            WHERE source_id = @sourceId AND status = 'pending' AND next_attempt_at <= @now
            ORDER BY received_at, id
            LIMIT @limit
            """, new { sourceId, now, limit }, cancellationToken: ct));
        return rows.Select(r => new PendingHookDelivery(r.Id, new HookDelivery(r.SourceId, r.DeliveryId, r.EventType)
        {
            ItemIds = r.ItemIds, ItemKeys = r.ItemKeys, SprintIds = r.SprintIds, BoardIds = r.BoardIds, Projects = r.Projects, Deleted = r.Deleted,
        }, Utc(r.ReceivedAt), r.Attempts)).ToList();
    }

    /// <summary>Sources with a delivery due now (the retry job's work list).</summary>
    public async Task<IReadOnlyList<string>> SourcesDueAsync(DateTimeOffset now, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<string>(new CommandDefinition(
            "SELECT DISTINCT source_id FROM ops.hook_deliveries WHERE status = 'pending' AND next_attempt_at <= @now ORDER BY 1",
            new { now }, cancellationToken: ct))).ToList();
    }

    public async Task MarkProcessedAsync(IReadOnlyList<long> ids, DateTimeOffset now, long? runId, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition("""
            UPDATE ops.hook_deliveries SET status = 'processed', processed_at = @now, attempts = attempts + 1, error = NULL, sync_run_id = @runId
            WHERE id = ANY(@ids)
            """, new { ids = ids.ToArray(), now, runId }, cancellationToken: ct));
    }

    /// <summary>
    /// A failed attempt: the deliveries stay pending and are due again after a back-off (15 s doubling, at most an hour), until
    /// <see cref="MaxAttempts"/>, then they are failed (the next poll reads what they named). <paramref name="counts"/> false: not an
    /// attempt of ours (another sync held the source), due again at <paramref name="retryAt"/>.
    /// </summary>
    public async Task MarkRetryAsync(IReadOnlyList<long> ids, DateTimeOffset now, string error, bool counts, DateTimeOffset? retryAt, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition("""
            UPDATE ops.hook_deliveries
            SET attempts = attempts + @step,
                error = @error,
                next_attempt_at = coalesce(@retryAt, @now + least(interval '1 hour', interval '15 seconds' * power(2, attempts))),
                status = CASE WHEN attempts + @step >= @max THEN 'failed' ELSE 'pending' END
            WHERE id = ANY(@ids)
            """, new { ids = ids.ToArray(), now, error, step = counts ? 1 : 0, retryAt, max = MaxAttempts }, cancellationToken: ct));
    }

    /// <summary>Per source: the last delivery received and processed, and how many are pending or failed.</summary>
    public async Task<IReadOnlyList<HookSourceState>> StateAsync(CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var rows = await conn.QueryAsync<(string SourceId, DateTime? LastDelivery, DateTime? LastProcessed, long Pending, long Failed)>(
            new CommandDefinition("""
                SELECT source_id, max(received_at), max(processed_at),
                       count(*) FILTER (WHERE status = 'pending'), count(*) FILTER (WHERE status = 'failed')
                FROM ops.hook_deliveries GROUP BY source_id ORDER BY source_id
                """, cancellationToken: ct));
        return rows.Select(r => new HookSourceState(r.SourceId, r.LastDelivery is { } d ? Utc(d) : null, r.LastProcessed is { } p ? Utc(p) : null,
            (int)r.Pending, (int)r.Failed)).ToList();
    }

    /// <summary>The stored team of each known item of the source, by tracker id and by key.</summary>
    public async Task<IReadOnlyList<(string ExternalId, string Key, string? TeamId)>> ItemTeamsAsync(string sourceId, IReadOnlyCollection<string> ids,
        IReadOnlyCollection<string> keys, CancellationToken ct)
    {
        if (ids.Count == 0 && keys.Count == 0) return [];
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<(string, string, string?)>(new CommandDefinition("""
            SELECT external_id, key, team_id FROM core.work_items
            WHERE source_id = @sourceId AND (external_id = ANY(@ids) OR key = ANY(@keys))
            """, new { sourceId, ids = ids.ToArray(), keys = keys.ToArray() }, cancellationToken: ct))).ToList();
    }

    /// <summary>The teams that share each of the given sprints.</summary>
    public async Task<IReadOnlyList<(string SprintId, string TeamId)>> SprintTeamsAsync(string sourceId, IReadOnlyCollection<string> sprintIds, CancellationToken ct)
    {
        if (sprintIds.Count == 0) return [];
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<(string, string)>(new CommandDefinition(
            "SELECT sprint_id, team_id FROM core.team_sprints WHERE source_id = @sourceId AND sprint_id = ANY(@sprintIds)",
            new { sourceId, sprintIds = sprintIds.ToArray() }, cancellationToken: ct))).ToList();
    }

    /// <summary>Forgets processed and failed deliveries older than <see cref="Retention"/>.</summary>
    public async Task<int> PruneAsync(DateTimeOffset now, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.ExecuteAsync(new CommandDefinition(
            "DELETE FROM ops.hook_deliveries WHERE status <> 'pending' AND received_at < @before",
            new { before = now - Retention }, cancellationToken: ct));
    }

    private sealed class Row
    {
        public long Id { get; init; }
        public string SourceId { get; init; } = "";
        public string DeliveryId { get; init; } = "";
        public string EventType { get; init; } = "";
        public string[] ItemIds { get; init; } = [];
        public string[] ItemKeys { get; init; } = [];
        public string[] SprintIds { get; init; } = [];
        public string[] BoardIds { get; init; } = [];
        public string[] Projects { get; init; } = [];
        public bool Deleted { get; init; }
        public DateTime ReceivedAt { get; init; }
        public int Attempts { get; init; }
    }

    private static DateTimeOffset Utc(DateTime d) => new(DateTime.SpecifyKind(d, DateTimeKind.Utc));
}
