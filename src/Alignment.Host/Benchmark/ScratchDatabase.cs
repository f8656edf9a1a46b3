using Dapper;
using Npgsql;

namespace Alignment.Host.Benchmark;

/// <summary>A database <c>alignment_bench_&lt;random&gt;</c> on the configured server (same credentials), dropped when disposed unless kept.</summary>
public sealed class ScratchDatabase : IAsyncDisposable
{
    private readonly string _adminConnection;

    private ScratchDatabase(string adminConnection, string name, string connectionString)
    {
        _adminConnection = adminConnection;
        Name = name;
        ConnectionString = connectionString;
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
        NpgsqlConnection.ClearAllPools();
        if (Keep) return;
        try
        {
            await using var admin = new NpgsqlConnection(_adminConnection);
            await admin.OpenAsync();
            await admin.ExecuteAsync($"DROP DATABASE IF EXISTS {Name} WITH (FORCE)");
        }
        catch (NpgsqlException e)
        {
            await Console.Error.WriteLineAsync($"alignment bench: could not drop the scratch database {Name}: {e.Message}");
        }
    }
}
