using System.Text.Json;
using Dapper;
using Npgsql;
using NpgsqlTypes;

namespace Alignment.Store.Analysis;

/// <summary>
/// What an analysis run of this process wrote: its findings' rows by fingerprint and its forecasts' content by epic (without the time they
/// were computed). The next run of the process writes only what differs from it (docs/architecture.md, "Incremental analysis").
/// </summary>
public sealed record WrittenAnalysis(
    IReadOnlyDictionary<string, FindingStore.FindingRow> Findings,
    IReadOnlyDictionary<(string Source, string Key), AnalysisOutputs.WrittenForecast> Forecasts);

/// <summary>The epic forecasts and team hygiene scorecards of a run (<c>analysis.epic_forecasts</c>, <c>analysis.team_hygiene</c>).</summary>
public static class AnalysisOutputs
{
    /// <summary>A forecast as written, with its content (<see cref="Content"/>).</summary>
    public sealed record WrittenForecast(EpicForecast Forecast, string Content);

    /// <summary>
    /// Writes the forecasts — all of them, or with <paramref name="before"/> only those whose content changed (an unchanged forecast keeps
    /// the time it was computed) — and replaces the hygiene scorecards (one per team). Returns every forecast's content.
    /// </summary>
    public static async Task<IReadOnlyDictionary<(string Source, string Key), WrittenForecast>> WriteAsync(NpgsqlConnection conn, NpgsqlTransaction tx,
        AnalysisResult result, DateTimeOffset now, IReadOnlyDictionary<(string Source, string Key), WrittenForecast>? before, CancellationToken ct)
    {
        // A forecast the memo kept is the very object written last time: its content is known without serializing it.
        var content = result.Forecasts.ToDictionary(f => f.Key, f => before?.GetValueOrDefault(f.Key) is { } b && ReferenceEquals(b.Forecast, f.Value)
            ? b : new WrittenForecast(f.Value, Content(f.Value)));
        var changed = before is null
            ? result.Forecasts.Values.ToList()
            : result.Forecasts.Where(f => !before.TryGetValue(f.Key, out var b) || b.Content != content[f.Key].Content).Select(f => f.Value).ToList();
        if (before is null)
            await conn.ExecuteAsync(new CommandDefinition("DELETE FROM analysis.epic_forecasts", transaction: tx, cancellationToken: ct));
        else
        {
            var gone = before.Keys.Where(k => !content.ContainsKey(k)).Concat(changed.Select(f => (f.Source, f.Key))).ToList();
            if (gone.Count > 0)
                await conn.ExecuteAsync(new CommandDefinition("""
                    DELETE FROM analysis.epic_forecasts e USING unnest(@sources, @keys) AS g(source_id, epic_key)
                     WHERE e.source_id = g.source_id AND e.epic_key = g.epic_key
                    """, new { sources = gone.Select(g => g.Source).ToArray(), keys = gone.Select(g => g.Key).ToArray() }, transaction: tx, cancellationToken: ct));
        }
        await using (var w = await conn.BeginBinaryImportAsync("COPY analysis.epic_forecasts (source_id, epic_key, team_id, forecast, computed_at) FROM STDIN (FORMAT BINARY)", ct))
        {
            foreach (var f in changed)
            {
                await w.StartRowAsync(ct);
                await w.WriteAsync(f.Source, NpgsqlDbType.Text, ct);
                await w.WriteAsync(f.Key, NpgsqlDbType.Text, ct);
                if (f.Team is null) await w.WriteNullAsync(ct); else await w.WriteAsync(f.Team, NpgsqlDbType.Text, ct);
                await w.WriteAsync(JsonSerializer.Serialize(f, AnalysisJsonContext.Default.EpicForecast), NpgsqlDbType.Jsonb, ct);
                await w.WriteAsync(now, NpgsqlDbType.TimestampTz, ct);
            }
            await w.CompleteAsync(ct);
        }
        await WriteHygieneAsync(conn, tx, result, now, ct);
        return content;
    }

    /// <summary>A forecast's JSON without its <see cref="EpicForecast.ComputedAt"/>: equal content, equal string.</summary>
    private static string Content(EpicForecast f) =>
        JsonSerializer.Serialize(f with { ComputedAt = DateTimeOffset.UnixEpoch }, AnalysisJsonContext.Default.EpicForecast);

    private static async Task WriteHygieneAsync(NpgsqlConnection conn, NpgsqlTransaction tx, AnalysisResult result, DateTimeOffset now, CancellationToken ct)
    {
        await conn.ExecuteAsync(new CommandDefinition("DELETE FROM analysis.team_hygiene", transaction: tx, cancellationToken: ct));
        await using var w = await conn.BeginBinaryImportAsync("COPY analysis.team_hygiene (team_id, scorecard, computed_at) FROM STDIN (FORMAT BINARY)", ct);
        foreach (var h in result.Hygiene.Values)
        {
            await w.StartRowAsync(ct);
            await w.WriteAsync(h.Team, NpgsqlDbType.Text, ct);
            await w.WriteAsync(JsonSerializer.Serialize(h, AnalysisJsonContext.Default.HygieneScorecard), NpgsqlDbType.Jsonb, ct);
            await w.WriteAsync(now, NpgsqlDbType.TimestampTz, ct);
        }
        await w.CompleteAsync(ct);
    }
}
