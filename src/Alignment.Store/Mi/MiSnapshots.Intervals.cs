using System.Text.Json;
using Dapper;
using Microsoft.Extensions.Caching.Memory;
using Npgsql;

namespace Alignment.Store.Mi;

/// <summary>The planning intervals' document (<see cref="MiIntervals"/>): written by each analysis in its transaction, read as one row.</summary>
public sealed partial class MiSnapshots
{
    public const string IntervalsKind = "intervals";

    /// <summary>Stores the intervals document of an analysis in the analysis's transaction.</summary>
    public static Task WriteIntervalsAsync(NpgsqlConnection conn, NpgsqlTransaction tx, MiIntervals doc, CancellationToken ct) =>
        conn.ExecuteAsync(new CommandDefinition("""
            INSERT INTO analysis.mi_snapshots (kind, computed_at, body) VALUES (@kind, @at, @body::json)
            ON CONFLICT (kind) DO UPDATE SET computed_at = EXCLUDED.computed_at, body = EXCLUDED.body
            """, new { kind = IntervalsKind, at = doc.ComputedAt.UtcDateTime, body = JsonSerializer.Serialize(doc, Json) }, tx, cancellationToken: ct));

    /// <summary>The stored intervals document; without intervals configured, or before the first analysis, an empty one that says why.</summary>
    public async Task<MiIntervals> GetIntervalsAsync(CancellationToken ct)
    {
        if (!_options.Value.HasPlanningIntervals)
            return new MiIntervals(_time.GetUtcNow(), IntervalDefinitions.Document, [], IntervalDefinitions.NoIntervals);
        if (_cache.TryGetValue(IntervalsKind, out MiIntervals? cached) && cached is not null) return cached;
        var stored = await ReadAsync<MiIntervals>(IntervalsKind, ct);
        return stored is null
            ? new MiIntervals(_time.GetUtcNow(), IntervalDefinitions.Document, [], "no analysis has run since the planning intervals were configured")
            : _cache.Set(IntervalsKind, stored, CacheFor);
    }
}
