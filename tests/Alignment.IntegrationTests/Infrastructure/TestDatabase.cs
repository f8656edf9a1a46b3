using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Alignment.IntegrationTests.Infrastructure;

/// <summary>
/// A fresh database per test run on the PostgreSQL that dev.sh starts (ConnectionStrings__Alignment),
/// migrated once; <see cref="ResetAsync"/> empties it between tests.
/// </summary>
public sealed class TestDatabase : IAsyncLifetime
{
    private string? _adminConnection;

    public string ConnectionString { get; private set; } = "";
    public NpgsqlDataSource DataSource { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _adminConnection = Environment.GetEnvironmentVariable("ConnectionStrings__Alignment")
            ?? throw new InvalidOperationException("ConnectionStrings__Alignment is not set: run the tests through ./dev.sh test");
        var name = $"alignment_test_{Environment.ProcessId}_{Guid.NewGuid():N}"[..48];
        await using (var admin = new NpgsqlConnection(_adminConnection))
        {
            await admin.OpenAsync();
            await admin.ExecuteAsync($"CREATE DATABASE {name}");
        }
        ConnectionString = new NpgsqlConnectionStringBuilder(_adminConnection) { Database = name, Pooling = true, MaxPoolSize = 50 }.ConnectionString;
        DataSource = Database.CreateDataSource(ConnectionString);
        await new Migrator(DataSource, NullLogger<Migrator>.Instance).MigrateAsync();
    }

    /// <summary>Empties every table of the store (schema and migrations stay).</summary>
    public async Task ResetAsync()
    {
        await using var conn = await DataSource.OpenConnectionAsync();
        var tables = await conn.QueryAsync<string>("""
            SELECT format('%I.%I', schemaname, tablename) FROM pg_tables
            WHERE (schemaname IN ('core', 'raw', 'ops', 'analysis') AND tablename <> 'schema_changelog')
               -- Jobs a previous test's host queued (a sync, the analysis after it) must not run in the next test's host.
               OR (schemaname = 'hangfire' AND tablename IN ('job', 'jobqueue', 'jobparameter', 'state'))
            """);
        var list = string.Join(", ", tables);
        if (list.Length > 0) await conn.ExecuteAsync($"TRUNCATE {list} RESTART IDENTITY CASCADE");
    }

    public async Task<T> ScalarAsync<T>(string sql, object? args = null)
    {
        await using var conn = await DataSource.OpenConnectionAsync();
        return (await conn.ExecuteScalarAsync<T>(sql, args))!;
    }

    public async Task<List<T>> QueryAsync<T>(string sql, object? args = null)
    {
        await using var conn = await DataSource.OpenConnectionAsync();
        return (await conn.QueryAsync<T>(sql, args)).ToList();
    }

    public async Task DisposeAsync()
    {
        var name = new NpgsqlConnectionStringBuilder(ConnectionString).Database;
        await DataSource.DisposeAsync();
        NpgsqlConnection.ClearAllPools();
        await using var admin = new NpgsqlConnection(_adminConnection);
        await admin.OpenAsync();
        await admin.ExecuteAsync($"DROP DATABASE IF EXISTS {name} WITH (FORCE)");
    }
}

[CollectionDefinition(Name)]
public sealed class DatabaseCollection : ICollectionFixture<TestDatabase>
{
    public const string Name = "database";
}
