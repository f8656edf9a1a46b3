using Dapper;
using Npgsql;

namespace Alignment.Store;

public static class Database
{
    public const string ConnectionStringName = "Alignment";

    static Database() => DefaultTypeMap.MatchNamesWithUnderscores = true;

    /// <summary>Seconds to wait for a connection (to connect, or for a free one from the pool) unless the connection string sets <c>Timeout</c>.</summary>
    public const int DefaultConnectTimeoutSeconds = 5;

    /// <summary>
    /// The one data source of the process. Pooled (Npgsql's defaults: up to 100 connections, idle ones closed
    /// after 300 s); unless the connection string says otherwise, a connection that cannot be had within
    /// <see cref="DefaultConnectTimeoutSeconds"/> fails the request instead of holding it for Npgsql's 15 s, so an
    /// outage answers quickly (README, "Outages"). Commands keep Npgsql's 30 s <c>Command Timeout</c>.
    /// Unless the connection string sets <c>Options</c>, sessions run with PostgreSQL's JIT off: our large reads (the MI's epic
    /// tree, the analysis's snapshot) cross the JIT cost threshold at about 100,000 items and then spend 0.2–0.3 s compiling
    /// expressions they evaluate once (docs/architecture.md, "Incremental analysis").
    /// </summary>
    public static NpgsqlDataSource CreateDataSource(string connectionString)
    {
        DefaultTypeMap.MatchNamesWithUnderscores = true;
        var b = new NpgsqlDataSourceBuilder(connectionString);
        b.ConnectionStringBuilder.ApplicationName ??= "alignment";
        var given = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connectionString };
        if (!given.ContainsKey("Timeout")) b.ConnectionStringBuilder.Timeout = DefaultConnectTimeoutSeconds;
        if (!given.ContainsKey("Options")) b.ConnectionStringBuilder.Options = "-c jit=off";
        return b.Build();
    }

    /// <summary>Holds a session-level advisory lock on a dedicated connection until disposed; null when another session holds it.</summary>
    public static async Task<IAsyncDisposable?> TryLockAsync(NpgsqlDataSource ds, string name, CancellationToken ct)
    {
        var conn = await ds.OpenConnectionAsync(ct);
        try
        {
            var got = await conn.ExecuteScalarAsync<bool>(new CommandDefinition(
                "SELECT pg_try_advisory_lock(hashtextextended(@name, 0))", new { name }, cancellationToken: ct));
            if (got) return new AdvisoryLock(conn, name);
            await conn.DisposeAsync();
            return null;
        }
        catch
        {
            await conn.DisposeAsync();
            throw;
        }
    }

    private sealed class AdvisoryLock(NpgsqlConnection conn, string name) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            try { await conn.ExecuteAsync("SELECT pg_advisory_unlock(hashtextextended(@name, 0))", new { name }); }
            catch (NpgsqlException) { /* the connection closing releases the lock anyway */ }
            await conn.DisposeAsync();
        }
    }
}
