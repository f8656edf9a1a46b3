using Dapper;
using Npgsql;

namespace Alignment.DevTools.Benchmark;

/// <summary>A database <c>alignment_bench_&lt;random&gt;</c> on the configured server (same credentials), dropped when disposed unless kept.</summary>
public sealed class ScratchDatabase : IAsyncDisposable
{
    private readonly string _adminConnection;

    private ScratchDatabase(string adminConnection, string name, string connectionString)
    {
        _adminConnection = adminConnection;
        Name = name;
        ConnectionString = connectionString;
        // Ctrl+C may end the process before DisposeAsync runs (see SimulatorProcess): drop it on the way out.
        AppDomain.CurrentDomain.ProcessExit += OnProcessExit;
    }

    private readonly Lock _gate = new();
    private Task? _drop;

    private void OnProcessExit(object? sender, EventArgs e) => DropOnce().Wait(TimeSpan.FromSeconds(10));

    private Task DropOnce()
    {
        lock (_gate) return _drop ??= DropAsync();
    }

    public string Name { get; }
    public string ConnectionString { get; }
    public bool Keep { get; set; }

    public static async Task<ScratchDatabase> CreateAsync(string configured, CancellationToken ct)
    {
        var name = "alignment_bench_" + Guid.NewGuid().ToString("N")[..12];
        await using (var admin = new NpgsqlConnection(configured))
        {
            await admin.OpenAsync(ct);
            await admin.ExecuteAsync(new CommandDefinition($"CREATE DATABASE {name}", cancellationToken: ct));
        }
        var cs = new NpgsqlConnectionStringBuilder(configured) { Database = name, ApplicationName = "alignment-bench" }.ConnectionString;
        return new ScratchDatabase(configured, name, cs);
    }

    public async ValueTask DisposeAsync()
    {
        await DropOnce();
        AppDomain.CurrentDomain.ProcessExit -= OnProcessExit;
    }

    private async Task DropAsync()
    {
        NpgsqlConnection.ClearAllPools();
        if (Keep) return;
        // An autovacuum worker on the freshly loaded database cannot be terminated by a non-superuser (42501); it finishes soon, so the
        // drop is tried again for up to 30 s before the database is left behind with a message.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var admin = new NpgsqlConnection(_adminConnection);
                await admin.OpenAsync();
                await admin.ExecuteAsync($"DROP DATABASE IF EXISTS {Name} WITH (FORCE)");
                return;
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.InsufficientPrivilege && attempt < 30)
            {
                await Task.Delay(TimeSpan.FromSeconds(1));
            }
            catch (NpgsqlException e)
            {
                await Console.Error.WriteLineAsync($"alignment bench: could not drop the scratch database {Name}: {e.Message}");
                return;
            }
        }
    }
}
