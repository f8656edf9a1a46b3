using Microsoft.Extensions.Configuration;
using Npgsql;

namespace Alignment.DevTools.Cli;

/// <summary>
/// The demo's store: a database of its own next to the configured one (<c>alignment</c> → <c>alignment_demo</c>), dropped and created again
/// on every run. The simulated organisation follows the real clock, so each run's organisation is a new one; the store's write-once records
/// (interval plans, sprint snapshots, history) of an earlier organisation must not mix with it, and the developer's own database is left alone.
/// </summary>
internal static class DemoDatabase
{
    /// <summary>Creates the demo database afresh and points <c>ConnectionStrings:Alignment</c> at it; returns its name (null without a connection string).</summary>
    public static string? UseFresh(IConfigurationManager configuration)
    {
        var configured = configuration.GetConnectionString("Alignment");
        if (string.IsNullOrWhiteSpace(configured)) return null;
        var builder = new NpgsqlConnectionStringBuilder(configured);
        var name = (builder.Database ?? "alignment") is var d && d.EndsWith("_demo", StringComparison.Ordinal) ? d : d + "_demo";
        using (var admin = new NpgsqlConnection(configured))
        {
            admin.Open();
            var quoted = "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
            using (var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {quoted} WITH (FORCE)", admin)) drop.ExecuteNonQuery();
            using (var create = new NpgsqlCommand($"CREATE DATABASE {quoted}", admin)) create.ExecuteNonQuery();
        }
        builder.Database = name;
        configuration["ConnectionStrings:Alignment"] = builder.ConnectionString;
        return name;
    }
}
