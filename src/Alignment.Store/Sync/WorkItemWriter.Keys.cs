using Dapper;
using Npgsql;
using NpgsqlTypes;

namespace Alignment.Store.Sync;

public sealed partial class WorkItemWriter
{
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
}
