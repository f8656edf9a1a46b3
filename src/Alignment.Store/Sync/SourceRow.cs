using Dapper;
using Npgsql;

namespace Alignment.Store.Sync;

/// <summary>What a sync keeps on its source's row of <c>core.sources</c> between runs (docs/data-model.md, "Watermarks").</summary>
public static class SourceRow
{
    /// <summary>The collector's source-level discoveries kept from the last successful run (Jira deployment and field ids).</summary>
    public static async Task<string?> StateAsync(NpgsqlDataSource db, string sourceId, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.ExecuteScalarAsync<string?>(new CommandDefinition(
            "SELECT source_state FROM core.sources WHERE id = @sourceId", new { sourceId }, cancellationToken: ct));
    }

    public static async Task SetStateAsync(NpgsqlDataSource db, string sourceId, string state, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition("UPDATE core.sources SET source_state = @state WHERE id = @sourceId",
            new { state, sourceId }, cancellationToken: ct));
    }

    /// <summary>The source-wide watermark (e.g. an Azure DevOps reporting continuation token).</summary>
    public static async Task<string?> WatermarkAsync(NpgsqlDataSource db, string sourceId, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.ExecuteScalarAsync<string?>(new CommandDefinition(
            "SELECT watermark FROM core.sources WHERE id = @sourceId", new { sourceId }, cancellationToken: ct));
    }

    /// <summary>What the collector found the tracker to be (e.g. "Jira Cloud; …"), shown by the run report and the sources API.</summary>
    public static async Task SetDeploymentAsync(NpgsqlDataSource db, string sourceId, string deployment, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition("UPDATE core.sources SET deployment = @deployment WHERE id = @sourceId",
            new { deployment, sourceId }, cancellationToken: ct));
    }
}
