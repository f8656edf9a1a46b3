using Dapper;
using Npgsql;

namespace Alignment.Store.Freshness;

/// <summary>An open quarantined item (<c>raw.failed_payloads</c>, kind <c>item</c>, not resolved).</summary>
public sealed record QuarantinedItem(string Source, string Team, string? Key, string? ExternalId, string? JsonPath, string Error,
    string Request, int Attempts, DateTimeOffset FirstSeen, DateTimeOffset LastSeen);

/// <summary>Reads what <see cref="SyncFreshness"/> needs from <c>ops.team_sync_state</c>, <c>ops.sync_runs</c> and <c>raw.failed_payloads</c>.</summary>
public static class SyncStateReader
{
    private const string StatesSql = """
        SELECT source_id, team_id, last_attempt_at, last_success_at, last_status, last_error, last_run_id FROM ops.team_sync_state
        """;
    private const string QuarantinedSql = """
        SELECT source_id, coalesce(team_id, '') AS team_id, count(*)::int AS count FROM raw.failed_payloads
        WHERE kind = 'item' AND resolved_at IS NULL GROUP BY 1, 2
        """;
    // The first run that tried a part which never succeeded: a team named in the run's team_results, the source-wide part by any run
    // of the source (skipped runs tried nothing). Only those parts, so the scan stays small once everything has synced.
    private const string FirstTriedSql = """
        WITH tried AS (
            SELECT r.source_id, tr->>'team' AS team_id, r.started_at
            FROM ops.sync_runs r CROSS JOIN LATERAL jsonb_array_elements(
                CASE WHEN jsonb_typeof(r.team_results) = 'array' THEN r.team_results ELSE '[]' END) tr
            WHERE r.status <> 'skipped' AND tr->>'team' IS NOT NULL
            UNION ALL
            SELECT r.source_id, '', r.started_at FROM ops.sync_runs r WHERE r.status <> 'skipped'
        )
        SELECT t.source_id, t.team_id, min(t.started_at) AS at FROM tried t
        WHERE NOT EXISTS (SELECT 1 FROM ops.team_sync_state s
                          WHERE s.source_id = t.source_id AND s.team_id = t.team_id AND s.last_success_at IS NOT NULL)
        GROUP BY 1, 2
        """;
    // Per source its last whole-source run that did something, with the last one that succeeded (partial counts: items were written).
    private const string RunsSql = """
        SELECT DISTINCT ON (r.source_id) r.source_id, r.id, r.started_at, r.status, r.error,
               (SELECT max(coalesce(s.finished_at, s.started_at)) FROM ops.sync_runs s
                WHERE s.source_id = r.source_id AND s.team_id IS NULL AND s.status IN ('succeeded', 'partial')) AS last_success
        FROM ops.sync_runs r WHERE r.team_id IS NULL AND r.status <> 'skipped'
        ORDER BY r.source_id, r.started_at DESC, r.id DESC
        """;

    /// <summary>The SELECTs of <see cref="LoadAsync"/>, in its order (the benchmark's read floor copies exactly these rows).</summary>
    public static IReadOnlyList<string> Queries { get; } = [StatesSql, QuarantinedSql, FirstTriedSql, RunsSql];

    public static async Task<SyncStateData> LoadAsync(NpgsqlConnection conn, CancellationToken ct)
    {
        var states = (await conn.QueryAsync<(string SourceId, string TeamId, DateTime LastAttemptAt, DateTime? LastSuccessAt, string LastStatus,
                string? LastError, long? LastRunId)>(new CommandDefinition(StatesSql, cancellationToken: ct)))
            .Select(r => new SyncStateRow(r.SourceId, r.TeamId, Utc(r.LastAttemptAt), r.LastSuccessAt is { } s ? Utc(s) : null, r.LastStatus,
                r.LastError, r.LastRunId)).ToList();

        var quarantined = (await conn.QueryAsync<(string SourceId, string TeamId, int Count)>(new CommandDefinition(QuarantinedSql, cancellationToken: ct)))
            .ToDictionary(r => (r.SourceId, r.TeamId), r => r.Count);

        var first = (await conn.QueryAsync<(string SourceId, string TeamId, DateTime At)>(new CommandDefinition(FirstTriedSql, cancellationToken: ct)))
            .ToDictionary(r => (r.SourceId, r.TeamId), r => Utc(r.At));
        var runs = (await conn.QueryAsync<(string SourceId, long Id, DateTime StartedAt, string Status, string? Error, DateTime? LastSuccess)>(
                new CommandDefinition(RunsSql, cancellationToken: ct)))
            .ToDictionary(r => r.SourceId, r => new SyncStateRow(r.SourceId, "", Utc(r.StartedAt), r.LastSuccess is { } s ? Utc(s) : null,
                r.Status, r.Error, r.Id));
        return new SyncStateData(states, quarantined, first, runs);
    }

    /// <summary>The open quarantined items, newest first, at most <paramref name="perPart"/> per source and team.</summary>
    public static async Task<IReadOnlyList<QuarantinedItem>> QuarantinedAsync(NpgsqlConnection conn, int perPart, CancellationToken ct) =>
        (await conn.QueryAsync<(string SourceId, string TeamId, string? ItemKey, string? ExternalId, string? JsonPath, string Error, string Request,
                int Attempts, DateTime ReceivedAt, DateTime LastSeenAt)>(new CommandDefinition("""
            SELECT source_id, team_id, item_key, external_id, json_path, error, request, attempts, received_at, last_seen_at FROM (
                SELECT source_id, coalesce(team_id, '') AS team_id, item_key, external_id, json_path, error, request, attempts, received_at, last_seen_at,
                       row_number() OVER (PARTITION BY source_id, coalesce(team_id, '') ORDER BY last_seen_at DESC, id DESC) AS n
                FROM raw.failed_payloads WHERE kind = 'item' AND resolved_at IS NULL) q
            WHERE n <= @perPart
            ORDER BY source_id, team_id, last_seen_at DESC, item_key
            """, new { perPart }, cancellationToken: ct)))
        .Select(r => new QuarantinedItem(r.SourceId, r.TeamId, r.ItemKey, r.ExternalId, r.JsonPath, r.Error, r.Request, r.Attempts,
            Utc(r.ReceivedAt), Utc(r.LastSeenAt))).ToList();

    private static DateTimeOffset Utc(DateTime d) => new(DateTime.SpecifyKind(d, DateTimeKind.Utc));
}
