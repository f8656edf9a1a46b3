using System.Diagnostics;
using Dapper;
using Npgsql;

namespace Alignment.DevTools.Benchmark;

/// <summary>
/// The physical baseline (README, "Benchmark"): everything the initial sync wrote, streamed table by table with
/// <c>COPY (SELECT * FROM t) TO STDOUT (FORMAT BINARY)</c> into <c>COPY bench.t FROM STDIN (FORMAT BINARY)</c>
/// on a second connection, one table after the other (the writer also writes one stream at a time).
/// The target tables are regular (logged) tables with the store's keys and indexes (<c>LIKE … INCLUDING ALL</c>).
/// Rows go straight from one socket to the other; nothing is held in memory.
/// </summary>
public static class CopyBaseline
{
    public static readonly string[] Tables = ["core.work_items", "core.links", "core.item_events", "core.sprint_items", "raw.item_payloads"];

    public sealed record Result(double Seconds, long Rows, IReadOnlyDictionary<string, long> RowsPerTable, IReadOnlyDictionary<string, double> SecondsPerTable)
    {
        public double RowsPerSecond => Seconds > 0 ? Rows / Seconds : 0;
    }

    public static async Task<Result> RunAsync(string connectionString, CancellationToken ct)
    {
        await using var source = new NpgsqlConnection(connectionString);
        await using var target = new NpgsqlConnection(connectionString);
        await source.OpenAsync(ct);
        await target.OpenAsync(ct);

        var counts = new Dictionary<string, long>();
        await target.ExecuteAsync(new CommandDefinition("CREATE SCHEMA IF NOT EXISTS bench", cancellationToken: ct));
        foreach (var t in Tables)
        {
            var bench = BenchName(t);
            await target.ExecuteAsync(new CommandDefinition(
                $"DROP TABLE IF EXISTS {bench}; CREATE TABLE {bench} (LIKE {t} INCLUDING ALL)", cancellationToken: ct));
            counts[t] = await source.ExecuteScalarAsync<long>(new CommandDefinition($"SELECT count(*) FROM {t}", cancellationToken: ct));
        }

        var perTable = new Dictionary<string, double>();
        var clock = Stopwatch.StartNew();
        foreach (var t in Tables)
        {
            var started = clock.Elapsed;
            await using var reader = await source.BeginRawBinaryCopyAsync($"COPY (SELECT * FROM {t}) TO STDOUT (FORMAT BINARY)", ct);
            await using (var writer = await target.BeginRawBinaryCopyAsync($"COPY {BenchName(t)} FROM STDIN (FORMAT BINARY)", ct))
                await reader.CopyToAsync(writer, 1 << 16, ct);
            perTable[t] = (clock.Elapsed - started).TotalSeconds;
        }
        var seconds = clock.Elapsed.TotalSeconds;
        return new Result(seconds, counts.Values.Sum(), counts, perTable);
    }

    private static string BenchName(string table) => "bench." + table.Replace('.', '_');
}
