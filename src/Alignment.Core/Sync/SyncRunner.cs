using System.Diagnostics;
using System.Text.Json;
using System.Threading.Channels;
using Alignment.Core.Configuration;
using Alignment.Core.Data;
using Alignment.Core.Observability;
using Alignment.Trackers.Http;
using Dapper;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Alignment.Core.Sync;

public sealed record SyncRequest(string SourceId, string? TeamId = null, bool Full = false, string Trigger = "manual");

public enum SyncStatus { Succeeded, Failed, Skipped }

public sealed record TeamSyncResult(string TeamId, int ItemsRead, int ItemsChanged, int ItemsDeleted, int Sprints, bool Full);

public sealed record SyncRunResult(
    long RunId, string SourceId, SyncStatus Status, string? Deployment, IReadOnlyList<TeamSyncResult> Teams,
    long Requests, long Retries, long RateLimitWaits, TimeSpan Duration, string? Error)
{
    public int ItemsRead => Teams.Sum(t => t.ItemsRead);
    public int ItemsChanged => Teams.Sum(t => t.ItemsChanged);
}

/// <summary>Progress of a running sync, for live displays.</summary>
public sealed record SyncProgress(string SourceId, string TeamId, string Phase, int ItemsRead, int ItemsChanged);

/// <summary>
/// Runs one sync of one source: takes the source's advisory lock (one sync per source across every
/// host), records the run in <c>ops.sync_runs</c>, reads each team scope through the source's
/// collector and writes batch by batch (reading the next batch while the previous one is written).
/// A watermark advances only in the transaction of the last batch it covers.
/// </summary>
public sealed class SyncRunner(
    NpgsqlDataSource dataSource,
    WorkItemWriter writer,
    StoreSeeder seeder,
    TrackerApiFactory apis,
    IEnumerable<ITrackerCollectorFactory> factories,
    IOptionsMonitor<AlignmentOptions> options,
    TimeProvider clock,
    ILogger<SyncRunner> logger)
{
    public async Task<SyncRunResult> RunAsync(SyncRequest request, IProgress<SyncProgress>? progress = null, CancellationToken ct = default)
    {
        var config = options.CurrentValue;
        var source = config.Source(request.SourceId)
            ?? throw new ArgumentException($"source '{request.SourceId}' is not configured (Alignment:Sources)");
        var teams = config.TeamsOf(source.Id).Where(t => request.TeamId is null || t.Id == request.TeamId).ToList();
        if (request.TeamId is not null && teams.Count == 0)
            throw new ArgumentException($"team '{request.TeamId}' is not configured on source '{source.Id}' (Alignment:Teams)");
        var factory = factories.FirstOrDefault(f => f.Supports(source.Kind))
            ?? throw new InvalidOperationException($"no collector for {source.Kind} sources");

        using var activity = AlignmentTelemetry.StartSync(request);
        await seeder.SeedAsync(config, ct);
        var started = clock.GetUtcNow();
        var stopwatch = Stopwatch.StartNew();

        await using var sourceLock = await Database.TryLockAsync(dataSource, "sync:" + source.Id, ct);
        if (sourceLock is null)
        {
            var skipped = await StartRunAsync(source.Id, request, started, "skipped", ct);
            logger.LogInformation("Sync of {Source} skipped: another sync of this source is running", source.Id);
            var skippedRun = new SyncRunResult(skipped, source.Id, SyncStatus.Skipped, null, [], 0, 0, 0, TimeSpan.Zero,
                $"another sync of source '{source.Id}' is running");
            AlignmentTelemetry.RecordRun(skippedRun, activity);
            return skippedRun;
        }

        var runId = await StartRunAsync(source.Id, request, started, "running", ct);
        var api = apis.Create(source);
        var before = api.Budget.Snapshot();
        var results = new System.Collections.Concurrent.ConcurrentDictionary<string, TeamSyncResult>();
        var watermarksBefore = new System.Collections.Concurrent.ConcurrentDictionary<string, string?>();
        var watermarksAfter = new System.Collections.Concurrent.ConcurrentDictionary<string, string?>();
        IReadOnlyList<TeamSyncResult> Results() => teams.Where(t => results.ContainsKey(t.Id)).Select(t => results[t.Id]).ToList();
        string? deployment = null;
        using var scopeLog = logger.BeginScope(new Dictionary<string, object> { ["SyncRunId"] = runId, ["SourceId"] = source.Id });
        try
        {
            var collector = factory.Create(source, config.Sources, api);
            if (!request.Full && collector is ISourceStateCollector restorable && await SourceStateAsync(source.Id, ct) is { } state)
                restorable.RestoreSourceState(state);
            deployment = await collector.PrepareAsync(ct);
            await using (var conn = await dataSource.OpenConnectionAsync(ct))
                await conn.ExecuteAsync(new CommandDefinition("UPDATE core.sources SET deployment = @deployment WHERE id = @id",
                    new { deployment, id = source.Id }, cancellationToken: ct));

            // Team scopes run side by side (tracker latency and database writes overlap), bounded by the
            // source's concurrency; the source budget bounds the requests in flight either way.
            await Parallel.ForEachAsync(teams, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, source.Sync.MaxConcurrency), CancellationToken = ct },
                async (team, ct) =>
            {
                var (watermark, scopeState, activeSprints) = await ScopeStateAsync(source.Id, team.Id, ct);
                var full = request.Full || watermark is null;
                watermarksBefore[team.Id] = watermark;
                var scope = new ScopeRequest(team, full ? null : watermark, full, started)
                {
                    KnownActiveSprints = activeSprints, ScopeState = full ? null : scopeState,
                };

                progress?.Report(new SyncProgress(source.Id, team.Id, "sprints", 0, 0));
                var sprints = await collector.CollectSprintsAsync(scope, ct);
                await writer.WriteSprintsAsync(source.Id, team.Id, sprints, ct);

                var read = 0; var changed = 0;
                HashSet<string>? seen = full ? new HashSet<string>(StringComparer.Ordinal) : null;
                string? after = null;
                var firstRead = watermark is null;
                await foreach (var (batch, result) in WritePipelinedAsync(collector.CollectItemsAsync(scope, ct), source.Id, team.Id, ct, firstRead))
                {
                    read += result.ItemsRead; changed += result.ItemsChanged;
                    if (seen is not null) foreach (var i in batch.Items) seen.Add(i.ExternalId);
                    after = batch.WatermarkAfter ?? after;
                    progress?.Report(new SyncProgress(source.Id, team.Id, "items", read, changed));
                }
                var deleted = seen is not null ? await writer.MarkVanishedAsync(source.Id, team.Id, seen, ct) : 0;
                watermarksAfter[team.Id] = after ?? watermark;
                results[team.Id] = new TeamSyncResult(team.Id, read, changed + deleted, deleted, sprints.Sprints.Count, full);
                logger.LogInformation("Synced team {Team}: {Read} read, {Changed} changed, {Deleted} deleted, {Sprints} sprints",
                    team.Id, read, changed, deleted, sprints.Sprints.Count);
            });

            var sourceWatermark = await SourceWatermarkAsync(source.Id, ct);
            watermarksBefore[""] = sourceWatermark;
            progress?.Report(new SyncProgress(source.Id, "", "history", 0, 0));
            await foreach (var (batch, _) in WritePipelinedAsync(
                collector.CollectSourceWideAsync(new SourceScopeRequest(teams, request.Full ? null : sourceWatermark, request.Full, started), ct),
                source.Id, "", ct))
                if (batch.WatermarkAfter is not null) watermarksAfter[""] = batch.WatermarkAfter;

            if (collector is ISourceStateCollector { SourceState: { } newState })
                await using (var conn = await dataSource.OpenConnectionAsync(ct))
                    await conn.ExecuteAsync(new CommandDefinition("UPDATE core.sources SET source_state = @newState WHERE id = @id",
                        new { newState, id = source.Id }, cancellationToken: ct));
            var used = api.Budget.Snapshot() - before;
            var final = new SyncRunResult(runId, source.Id, SyncStatus.Succeeded, deployment, Results(),
                used.Requests, used.Retries, used.RateLimitWaits, stopwatch.Elapsed, null);
            await FinishRunAsync(final, watermarksBefore, watermarksAfter, ct);
            AlignmentTelemetry.RecordRun(final, activity);
            return final;
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            var used = api.Budget.Snapshot() - before;
            var message = Describe(e);
            var failed = new SyncRunResult(runId, source.Id, SyncStatus.Failed, deployment, Results(),
                used.Requests, used.Retries, used.RateLimitWaits, stopwatch.Elapsed, message);
            await FinishRunAsync(failed, watermarksBefore, watermarksAfter, CancellationToken.None);
            AlignmentTelemetry.RecordRun(failed, activity);
            logger.LogError("Sync of {Source} failed: {Error}", source.Id, message);
            return failed;
        }
        catch (OperationCanceledException)
        {
            var used = api.Budget.Snapshot() - before;
            await FinishRunAsync(new SyncRunResult(runId, source.Id, SyncStatus.Failed, deployment, Results(),
                used.Requests, used.Retries, used.RateLimitWaits, stopwatch.Elapsed, "cancelled"), watermarksBefore, watermarksAfter, CancellationToken.None);
            throw;
        }
    }

    /// <summary>Reads the next batch from the tracker while the previous one is being written.</summary>
    private async IAsyncEnumerable<(SyncBatch Batch, WorkItemWriter.BatchResult Result)> WritePipelinedAsync(
        IAsyncEnumerable<SyncBatch> batches, string sourceId, string teamId,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct, bool firstRead = false)
    {
        var channel = Channel.CreateBounded<SyncBatch>(new BoundedChannelOptions(1) { SingleReader = true, SingleWriter = true });
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var producer = Task.Run(async () =>
        {
            try
            {
                await foreach (var b in batches.WithCancellation(linked.Token)) await channel.Writer.WriteAsync(b, linked.Token);
                channel.Writer.Complete();
            }
            catch (Exception e) { channel.Writer.Complete(e); }
        }, linked.Token);
        try
        {
            while (await channel.Reader.WaitToReadAsync(ct))
                while (channel.Reader.TryRead(out var batch))
                    yield return (batch, await writer.WriteAsync(sourceId, teamId, batch, ct, firstRead));
        }
        finally
        {
            await linked.CancelAsync();
            try { await producer; } catch (OperationCanceledException) { }
        }
    }

    private static string Describe(Exception e) => e switch
    {
        TrackerPayloadException or TrackerRequestException => e.Message,
        PostgresException pg => $"database error {pg.SqlState}: {pg.MessageText}",
        _ => e.Message,
    };

    private async Task<(string? Watermark, string? ScopeState, IReadOnlyList<string> ActiveSprints)> ScopeStateAsync(string sourceId, string teamId, CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        var wm = (await conn.QueryAsync<(string? Value, string? State)>(new CommandDefinition(
            "SELECT value, scope_state FROM ops.watermarks WHERE source_id = @sourceId AND team_id = @teamId", new { sourceId, teamId }, cancellationToken: ct))).FirstOrDefault();
        var active = (await conn.QueryAsync<string>(new CommandDefinition("""
            SELECT s.external_id FROM core.sprints s
            JOIN core.team_sprints ts ON ts.source_id = s.source_id AND ts.sprint_id = s.external_id
            WHERE ts.team_id = @teamId AND s.source_id = @sourceId AND s.state = 'active'
            """, new { sourceId, teamId }, cancellationToken: ct))).ToList();
        return (wm.Value, wm.State, active);
    }

    private async Task<string?> SourceStateAsync(string sourceId, CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        return await conn.ExecuteScalarAsync<string?>(new CommandDefinition(
            "SELECT source_state FROM core.sources WHERE id = @sourceId", new { sourceId }, cancellationToken: ct));
    }

    private async Task<string?> SourceWatermarkAsync(string sourceId, CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        return await conn.ExecuteScalarAsync<string?>(new CommandDefinition(
            "SELECT watermark FROM core.sources WHERE id = @sourceId", new { sourceId }, cancellationToken: ct));
    }

    private async Task<long> StartRunAsync(string sourceId, SyncRequest request, DateTimeOffset started, string status, CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        return await conn.ExecuteScalarAsync<long>(new CommandDefinition("""
            INSERT INTO ops.sync_runs (source_id, team_id, full_sync, trigger, host, started_at, status, finished_at)
            VALUES (@sourceId, @TeamId, @Full, @Trigger, @host, @started, @status, CASE WHEN @status = 'skipped' THEN now() END)
            RETURNING id
            """, new { sourceId, request.TeamId, request.Full, request.Trigger, host = $"{Environment.MachineName}:{Environment.ProcessId}", started = started.UtcDateTime, status },
            cancellationToken: ct));
    }

    private async Task FinishRunAsync(SyncRunResult r, IDictionary<string, string?> before, IDictionary<string, string?> after, CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition("""
            UPDATE ops.sync_runs SET finished_at = now(), status = @status, requests = @Requests, retries = @Retries,
                rate_limit_waits = @RateLimitWaits, items_read = @ItemsRead, items_changed = @ItemsChanged, items_deleted = @deleted,
                watermark_before = @before, watermark_after = @after, error = @Error
            WHERE id = @RunId
            """, new
        {
            status = r.Status == SyncStatus.Succeeded ? "succeeded" : "failed",
            r.Requests, r.Retries, r.RateLimitWaits, r.ItemsRead, r.ItemsChanged,
            deleted = r.Teams.Sum(t => t.ItemsDeleted),
            before = JsonSerializer.Serialize(new SortedDictionary<string, string?>(before)), after = JsonSerializer.Serialize(new SortedDictionary<string, string?>(after)), r.Error, r.RunId,
        }, cancellationToken: ct));
        if (r.Status == SyncStatus.Succeeded)
            await conn.ExecuteAsync(new CommandDefinition("UPDATE core.sources SET last_sync_run = @RunId WHERE id = @SourceId",
                new { r.RunId, r.SourceId }, cancellationToken: ct));
    }
}
