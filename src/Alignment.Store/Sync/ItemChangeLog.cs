using Dapper;
using Npgsql;

namespace Alignment.Store.Sync;

/// <summary>The items changed since a point of the change log, by source (external ids).</summary>
public sealed record ItemChanges(long Through, IReadOnlyDictionary<string, HashSet<string>> BySource)
{
    public int Count => BySource.Values.Sum(s => s.Count);
}

/// <summary>Where the change log stands, read at the start of an analysis (<see cref="ItemChangeLog.PositionAsync"/>).</summary>
public sealed record ChangeLogPosition(long Through, long PrunedThrough);

/// <summary>
/// <c>ops.item_changes</c>: every committed sync batch names the items whose row, links (as their reporter) or history events it wrote,
/// so that an analysis can reload exactly those (docs/architecture.md, "Incremental analysis"). Writers append under the shared advisory
/// lock <see cref="LockName"/>; the analysis takes it exclusively only while it reads the position, so every sequence number up to the
/// position it reads is committed (or rolled back), never still in flight.
/// </summary>
public static class ItemChangeLog
{
    public const string LockName = "alignment:item-changes";

    /// <summary>How long entries are kept; an analysis whose memory is older than the oldest kept entry loads everything.</summary>
    public static readonly TimeSpan Retention = TimeSpan.FromDays(2);

    /// <summary>In the writer's transaction (held until it commits): appends one entry for the batch, when it names any item.</summary>
    public static async Task AppendAsync(NpgsqlConnection conn, string sourceId, IEnumerable<string> externalIds, CancellationToken ct)
    {
        var ids = externalIds.Distinct(StringComparer.Ordinal).ToArray();
        if (ids.Length == 0) return;
        await conn.ExecuteAsync(new CommandDefinition("""
            SELECT pg_advisory_xact_lock_shared(hashtextextended(@lock, 0));
            INSERT INTO ops.item_changes (source_id, external_ids) VALUES (@sourceId, @ids);
            """, new { @lock = LockName, sourceId, ids }, cancellationToken: ct));
    }

    /// <summary>
    /// Begins a repeatable-read transaction on <paramref name="conn"/> whose snapshot starts at the position of the log: waits (briefly) for
    /// writers that are appending, reads the last and the pruned sequence numbers as the transaction's first statement, and lets writers go
    /// on. Every entry up to the position is in the snapshot; every later one gets a higher number.
    /// </summary>
    public static async Task<(NpgsqlTransaction Tx, ChangeLogPosition Position)> BeginAsync(NpgsqlConnection conn, CancellationToken ct)
    {
        await conn.ExecuteAsync(new CommandDefinition("SELECT pg_advisory_lock(hashtextextended(@lock, 0))", new { @lock = LockName },
            cancellationToken: ct, commandTimeout: 120));
        NpgsqlTransaction? tx = null;
        try
        {
            tx = await conn.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, ct);
            var (through, pruned) = await conn.QuerySingleAsync<(long, long)>(new CommandDefinition("""
                SELECT coalesce((SELECT max(seq) FROM ops.item_changes), 0) AS through,
                       coalesce((SELECT through FROM ops.item_changes_pruned), 0) AS pruned_through
                """, transaction: tx, cancellationToken: ct));
            await conn.ExecuteAsync(new CommandDefinition("SELECT pg_advisory_unlock(hashtextextended(@lock, 0))", new { @lock = LockName },
                transaction: tx, cancellationToken: ct));
            return (tx, new ChangeLogPosition(through, pruned));
        }
        catch
        {
            // The connection goes back to the pool reset (DISCARD ALL), which releases a session lock still held.
            if (tx is not null) await tx.DisposeAsync();
            throw;
        }
    }

    /// <summary>The items named by entries after <paramref name="after"/> up to <paramref name="through"/>.</summary>
    public static async Task<ItemChanges> ReadAsync(NpgsqlConnection conn, NpgsqlTransaction tx, long after, long through, CancellationToken ct)
    {
        var bySource = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        await using var cmd = new NpgsqlCommand("SELECT source_id, unnest(external_ids) FROM ops.item_changes WHERE seq > @after AND seq <= @through", conn, tx);
        cmd.Parameters.AddWithValue("after", after);
        cmd.Parameters.AddWithValue("through", through);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            var source = r.GetString(0);
            if (!bySource.TryGetValue(source, out var ids)) bySource[source] = ids = new HashSet<string>(StringComparer.Ordinal);
            ids.Add(r.GetString(1));
        }
        return new ItemChanges(through, bySource);
    }

    /// <summary>Drops entries older than <see cref="Retention"/>, remembering the highest sequence number dropped.</summary>
    public static Task PruneAsync(NpgsqlConnection conn, NpgsqlTransaction tx, DateTimeOffset now, CancellationToken ct) =>
        conn.ExecuteAsync(new CommandDefinition("""
            WITH d AS (DELETE FROM ops.item_changes WHERE changed_at < @before RETURNING seq)
            UPDATE ops.item_changes_pruned SET through = greatest(through, coalesce((SELECT max(seq) FROM d), 0))
            """, new { before = (now - Retention).UtcDateTime }, transaction: tx, cancellationToken: ct));
}
