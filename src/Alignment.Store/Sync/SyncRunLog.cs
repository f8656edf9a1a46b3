using System.Text.Json;
using Dapper;
using Npgsql;

namespace Alignment.Store.Sync;

/// <summary>
/// <c>ops.sync_runs</c> and <c>ops.team_sync_state</c>: what every run did, kept true (docs/reliability.md,
/// "Run statuses"). A run whose process died is closed as <c>abandoned</c> by whoever next holds its source's lock.
/// </summary>
public static class SyncRunLog
{
    public static async Task<long> StartAsync(NpgsqlDataSource ds, string sourceId, SyncRequest request, DateTimeOffset started, string status, CancellationToken ct)
    {
        await using var conn = await ds.OpenConnectionAsync(ct);
        return await conn.ExecuteScalarAsync<long>(new CommandDefinition("""
            INSERT INTO ops.sync_runs (source_id, team_id, full_sync, trigger, host, started_at, status, finished_at)
            VALUES (@sourceId, @TeamId, @Full, @Trigger, @host, @started, @status, CASE WHEN @status = 'skipped' THEN now() END)
            RETURNING id
            """, new { sourceId, request.TeamId, request.Full, request.Trigger, host = $"{Environment.MachineName}:{Environment.ProcessId}", started = started.UtcDateTime, status },
            cancellationToken: ct));
    }

    /// <summary>
    /// Closes the source's runs still marked running, except <paramref name="currentRunId"/>. Call only while holding
    /// the source's advisory lock: then no live process can be running them (the lock dies with its connection).
    /// </summary>
    public static async Task<int> CloseAbandonedAsync(NpgsqlDataSource ds, string sourceId, long currentRunId, CancellationToken ct)
    {
        await using var conn = await ds.OpenConnectionAsync(ct);
        return await conn.ExecuteAsync(new CommandDefinition("""
            UPDATE ops.sync_runs SET status = 'abandoned', finished_at = now(),
                error = 'its process stopped before the run finished (found ' || CASE WHEN @currentRunId > 0 THEN 'by run ' || @currentRunId ELSE 'at host start' END || ')'
            WHERE source_id = @sourceId AND status = 'running' AND id <> @currentRunId
            """, new { sourceId, currentRunId }, cancellationToken: ct));
    }

    /// <summary>
    /// At host start: the runs marked running of every source whose sync lock nobody holds are abandoned. It reads
    /// <c>pg_locks</c> instead of taking the lock, so a sync starting at the same moment is never skipped; one
    /// statement, so a run that finishes meanwhile is re-checked by PostgreSQL and left alone.
    /// </summary>
    public static async Task<int> CloseAbandonedAtStartAsync(NpgsqlDataSource ds, IEnumerable<string> sourceIds, CancellationToken ct)
    {
        await using var conn = await ds.OpenConnectionAsync(ct);
        return await conn.ExecuteAsync(new CommandDefinition("""
            UPDATE ops.sync_runs r SET status = 'abandoned', finished_at = now(),
                error = 'its process stopped before the run finished (found at host start)'
            WHERE r.status = 'running' AND r.source_id = ANY(@sources)
              AND NOT EXISTS (
                  SELECT 1 FROM pg_locks l
                  WHERE l.locktype = 'advisory' AND l.objsubid = 1 AND l.granted
                    AND l.classid::bigint = ((hashtextextended('sync:' || r.source_id, 0) >> 32) & 4294967295)
                    AND l.objid::bigint = (hashtextextended('sync:' || r.source_id, 0) & 4294967295))
            """, new { sources = sourceIds.ToArray() }, cancellationToken: ct));
    }

    public static async Task FinishAsync(NpgsqlDataSource ds, SyncRunResult r, IDictionary<string, string?> before, IDictionary<string, string?> after, CancellationToken ct)
    {
        var teams = r.Teams.Select(t => new TeamOutcome(t.TeamId, t.Status.Name(), t.Error, t.Quarantined)).ToList();
        await using var conn = await ds.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition("""
            UPDATE ops.sync_runs SET finished_at = now(), status = @status, requests = @Requests, retries = @Retries,
                rate_limit_waits = @RateLimitWaits, items_read = @ItemsRead, items_changed = @ItemsChanged, items_deleted = @deleted,
                watermark_before = @before, watermark_after = @after, error = @error,
                team_results = @teams::jsonb, quarantined_items = @Quarantined
            WHERE id = @RunId
            """, new
        {
            status = r.Status.Name(), r.Requests, r.Retries, r.RateLimitWaits, r.ItemsRead, r.ItemsChanged, r.Quarantined,
            deleted = r.Teams.Sum(t => t.ItemsDeleted),
            before = JsonSerializer.Serialize(new SortedDictionary<string, string?>(before)),
            after = JsonSerializer.Serialize(new SortedDictionary<string, string?>(after)),
            error = StoreText.Clean(r.Error), r.RunId,
            teams = JsonSerializer.Serialize(teams, TeamOutcomeJson),
        }, cancellationToken: ct));
        await UpsertTeamStatesAsync(conn, r.SourceId, r.RunId, r.Teams.Select(t => (t.TeamId, t.Status, t.Error)), ct);
        if (r.Wrote)
            await conn.ExecuteAsync(new CommandDefinition("UPDATE core.sources SET last_sync_run = @RunId WHERE id = @SourceId",
                new { r.RunId, r.SourceId }, cancellationToken: ct));
        await tx.CommitAsync(ct);
    }

    /// <summary>Records the outcome of a run that failed before any team was tried (e.g. the deployment could not be read) for the given teams.</summary>
    public static async Task RecordTeamsFailedAsync(NpgsqlDataSource ds, string sourceId, long runId, IEnumerable<string> teamIds, string error, CancellationToken ct)
    {
        await using var conn = await ds.OpenConnectionAsync(ct);
        await UpsertTeamStatesAsync(conn, sourceId, runId, teamIds.Select(t => (t, SyncStatus.Failed, (string?)error)), ct);
    }

    /// <summary>One statement for all teams of a run: last attempt, status and error; last success only on succeeded or partial.</summary>
    private static async Task UpsertTeamStatesAsync(NpgsqlConnection conn, string source, long run,
        IEnumerable<(string Team, SyncStatus Status, string? Error)> states, CancellationToken ct)
    {
        var list = states.ToList();
        if (list.Count == 0) return;
        await conn.ExecuteAsync(new CommandDefinition("""
            INSERT INTO ops.team_sync_state (source_id, team_id, last_attempt_at, last_success_at, last_status, last_error, last_run_id)
            SELECT @source, t.team, now(), CASE WHEN t.status IN ('succeeded', 'partial') THEN now() END, t.status, t.error, @run
            FROM unnest(@teams, @statuses, @errors) AS t(team, status, error)
            ON CONFLICT (source_id, team_id) DO UPDATE SET last_attempt_at = now(),
                last_success_at = COALESCE(EXCLUDED.last_success_at, ops.team_sync_state.last_success_at),
                last_status = EXCLUDED.last_status, last_error = EXCLUDED.last_error, last_run_id = EXCLUDED.last_run_id
            """, new
        {
            source, run,
            teams = list.Select(s => s.Team).ToArray(),
            statuses = list.Select(s => s.Status.Name()).ToArray(),
            errors = list.Select(s => StoreText.Clean(s.Error)).ToArray(),
        }, cancellationToken: ct));
    }

    private sealed record TeamOutcome(string Team, string Status, string? Error, int Quarantined);

    private static readonly JsonSerializerOptions TeamOutcomeJson = new(JsonSerializerDefaults.Web);
}
