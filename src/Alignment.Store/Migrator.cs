using EvolveDb;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Alignment.Store;

/// <summary>Applies the numbered SQL migrations embedded in this assembly (Evolve), under an advisory lock so several hosts can start at once.</summary>
public sealed class Migrator(NpgsqlDataSource dataSource, ILogger<Migrator> logger)
{
    public const string MetadataSchema = "ops";
    public const string MetadataTable = "schema_changelog";

    public async Task<int> MigrateAsync(CancellationToken ct = default)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        var evolve = Create(conn, logger);
        evolve.Migrate();
        logger.LogInformation("Database schema is current: {Applied} migration(s) applied", evolve.NbMigration);
        return evolve.NbMigration;
    }

    /// <summary>Names of embedded migrations that the database has not applied yet (for the readiness check).</summary>
    public async Task<IReadOnlyList<string>> PendingAsync(CancellationToken ct = default)
    {
        var all = Scripts().Select(s => s.Name).ToList();
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await using var cmd = new NpgsqlCommand(
            $"SELECT to_regclass('{MetadataSchema}.{MetadataTable}') IS NOT NULL", conn);
        if (!(bool)(await cmd.ExecuteScalarAsync(ct))!) return all;
        await using var q = new NpgsqlCommand(
            $"SELECT name FROM {MetadataSchema}.{MetadataTable} WHERE success AND type = 0", conn);
        var applied = new HashSet<string>();
        await using var r = await q.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) applied.Add(r.GetString(0));
        return all.Where(v => !applied.Contains(v)).ToList();
    }

    private static IEnumerable<(string Version, string Name)> Scripts() =>
        typeof(Migrator).Assembly.GetManifestResourceNames()
            .Where(n => n.Contains(".Migrations.V", StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal))
            .Select(n =>
            {
                var file = n[(n.IndexOf(".Migrations.", StringComparison.Ordinal) + ".Migrations.".Length)..];
                var version = file[1..file.IndexOf("__", StringComparison.Ordinal)].TrimStart('0');
                return (version, file);
            });

    private static Evolve Create(NpgsqlConnection conn, ILogger logger) =>
        new(conn, msg => logger.LogDebug("{EvolveMessage}", msg))
        {
            EmbeddedResourceAssemblies = [typeof(Migrator).Assembly],
            EmbeddedResourceFilters = ["Alignment.Store.Migrations"],
            MetadataTableSchema = MetadataSchema,
            MetadataTableName = MetadataTable,
            Schemas = ["ops", "core", "raw", "analysis"],
            IsEraseDisabled = true,
            EnableClusterMode = true,
            CommandTimeout = 600,
        };
}
