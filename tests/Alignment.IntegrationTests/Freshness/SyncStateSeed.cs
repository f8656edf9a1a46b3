using Alignment.IntegrationTests.Infrastructure;
using Dapper;

namespace Alignment.IntegrationTests.Freshness;

/// <summary>
/// Writes what the sync leaves behind for staleness (docs/reliability.md), as the sync would: <c>ops.team_sync_state</c> rows, runs with their
/// <c>team_results</c>, and quarantined items (<c>raw.failed_payloads</c> of kind <c>item</c>).
/// </summary>
public static class SyncStateSeed
{
    public static async Task StateAsync(TestDatabase db, string source, string team, string status, DateTimeOffset lastAttempt,
        DateTimeOffset? lastSuccess, string? error = null)
    {
        await using var conn = await db.DataSource.OpenConnectionAsync();
        await conn.ExecuteAsync("""
            INSERT INTO ops.team_sync_state (source_id, team_id, last_attempt_at, last_success_at, last_status, last_error, last_run_id)
            VALUES (@source, @team, @lastAttempt, @lastSuccess, @status, @error, NULL)
            ON CONFLICT (source_id, team_id) DO UPDATE SET last_attempt_at = EXCLUDED.last_attempt_at, last_success_at = EXCLUDED.last_success_at,
                last_status = EXCLUDED.last_status, last_error = EXCLUDED.last_error
            """, new { source, team, lastAttempt = lastAttempt.UtcDateTime, lastSuccess = lastSuccess?.UtcDateTime, status, error });
    }

    public static async Task RunAsync(TestDatabase db, string source, DateTimeOffset started, string status, params string[] teams)
    {
        await using var conn = await db.DataSource.OpenConnectionAsync();
        await conn.ExecuteAsync("""
            INSERT INTO ops.sync_runs (source_id, full_sync, trigger, host, started_at, finished_at, status, team_results)
            VALUES (@source, false, 'schedule', 'test', @started, @started, @status, @results::jsonb)
            """, new
        {
            source, started = started.UtcDateTime, status,
            results = System.Text.Json.JsonSerializer.Serialize(teams.Select(t => new { team = t, status, error = (string?)null, quarantined = 0 })),
        });
    }

    public static async Task QuarantineAsync(TestDatabase db, string source, string? team, string key, string jsonPath, string error,
        DateTimeOffset lastSeen, string kind = "item", DateTimeOffset? resolved = null)
    {
        await using var conn = await db.DataSource.OpenConnectionAsync();
        await conn.ExecuteAsync("""
            INSERT INTO raw.failed_payloads (source_id, request, error, body, kind, team_id, external_id, item_key, json_path, attempts, last_seen_at, resolved_at)
            VALUES (@source, @request, @error, '{}', @kind, @team, @externalId, @key, @jsonPath, 3, @lastSeen, @resolved)
            """, new
        {
            source, request = $"GET /rest/api/3/search/jql?jql=key={key}", error, kind, team, externalId = "x-" + key, key, jsonPath,
            lastSeen = lastSeen.UtcDateTime, resolved = resolved?.UtcDateTime,
        });
    }
}
