using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Alignment.Application.Sync;

/// <summary>
/// Syncs one team scope (and the source-wide part) of one run, isolated: whatever fails inside a scope is
/// caught and returned as that scope's <see cref="SyncStatus.Failed"/> result, so the other teams go on
/// (docs/reliability.md, "Isolation"). Only cancellation (the caller's or the run deadline) escapes.
/// </summary>
internal sealed class TeamScopeRunner(
    NpgsqlDataSource dataSource, WorkItemWriter writer, ITrackerCollector collector, string sourceId, bool full,
    DateTimeOffset started, IProgress<SyncProgress>? progress, ILogger logger)
{
    /// <summary>Per team, tracker ids to read again as quarantined items are (a targeted sync: the items a webhook named).</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>>? ReRead { get; init; }
    /// <summary>Teams read in full although the run is incremental (a webhook said an item was deleted).</summary>
    public IReadOnlySet<string>? FullTeams { get; init; }

    /// <summary>The teams' stored state read for the whole run at its start; a team's entry is used once (a retry reads it again).</summary>
    public ConcurrentDictionary<string, TeamScopeState> Preloaded { get; } = new(StringComparer.Ordinal);

    /// <summary>Time spent by all teams together (not wall time) reading sprints, writing them, and reading and writing items.</summary>
    private long _sprintReadTicks, _sprintWriteTicks, _itemTicks;

    /// <summary>
    /// The last batches of team scopes that finished with nothing but a new watermark, written together by <see cref="WriteWatermarksAsync"/>
    /// after the teams (<see cref="WorkItemWriter.WriteWatermarksAsync"/>). Only a scope that finished is here: a failed one keeps its watermark.
    /// </summary>
    private readonly ConcurrentDictionary<string, (SyncBatch Batch, string? SprintsHash)> _watermarksToWrite = new(StringComparer.Ordinal);

    public Task WriteWatermarksAsync(CancellationToken ct)
    {
        var scopes = _watermarksToWrite.Select(w => (w.Key, w.Value.Batch, w.Value.SprintsHash)).OrderBy(w => w.Key, StringComparer.Ordinal).ToList();
        _watermarksToWrite.Clear();
        return writer.WriteWatermarksAsync(sourceId, scopes, ct);
    }

    public string Phases => FormattableString.Invariant(
        $"teamSprintReads={Ms(_sprintReadTicks):0} teamSprintWrites={Ms(_sprintWriteTicks):0} teamItems={Ms(_itemTicks):0}");

    private static double Ms(long ticks) => Interlocked.Read(ref ticks) * 1000.0 / System.Diagnostics.Stopwatch.Frequency;

    public async Task<TeamSyncResult> RunAsync(TeamOptions team, ConcurrentDictionary<string, string?> watermarksBefore,
        ConcurrentDictionary<string, string?> watermarksAfter, CancellationToken ct)
    {
        var trail = RequestTrail.Begin();
        try
        {
            var state = Preloaded.TryRemove(team.Id, out var preloaded) ? preloaded : await TeamScopeState.LoadAsync(dataSource, sourceId, team.Id, ct);
            var (watermark, scopeState, activeSprints, quarantined) = state;
            var fullScope = full || watermark is null || FullTeams?.Contains(team.Id) == true;
            watermarksBefore[team.Id] = watermark;
            // Items a webhook named are read by id like quarantined items: the search may not show a change made a moment ago yet.
            if (ReRead?.GetValueOrDefault(team.Id) is { Count: > 0 } named)
                quarantined = [.. quarantined, .. named.Where(id => !quarantined.Contains(id))];
            var scope = new ScopeRequest(team, fullScope ? null : watermark, fullScope, started)
            {
                KnownActiveSprints = activeSprints, ScopeState = fullScope ? null : scopeState, Quarantined = quarantined,
            };

            progress?.Report(new SyncProgress(sourceId, team.Id, "sprints", 0, 0));
            var (sprints, sprintsHash, wroteSprints) = await SyncSprintsAsync(scope, state.SprintsHash, ct);
            var t2 = System.Diagnostics.Stopwatch.GetTimestamp();

            var read = 0; var changed = 0; var failed = 0;
            HashSet<string>? seen = fullScope ? new HashSet<string>(StringComparer.Ordinal) : null;
            string? after = null;
            SyncBatch? onlyWatermark = null;
            await foreach (var (batch, result) in WritePipelinedAsync(collector.CollectItemsAsync(scope, ct), team.Id, ct, firstRead: watermark is null,
                               defer: b => onlyWatermark = b))
            {
                read += result.ItemsRead; changed += result.ItemsChanged; failed += batch.Quarantined.Count;
                if (seen is not null)
                {
                    foreach (var i in batch.Items) seen.Add(i.ExternalId);
                    // A quarantined item still exists at the tracker: never mark it deleted.
                    foreach (var q in batch.Quarantined) seen.Add(q.ExternalId);
                }
                after = batch.WatermarkAfter ?? after;
                progress?.Report(new SyncProgress(sourceId, team.Id, "items", read, changed));
            }
            var deleted = seen is not null ? await writer.MarkVanishedAsync(sourceId, team.Id, seen, ct) : 0;
            // The hash of the sprints written goes with the watermark: deferred with it, or recorded now that the last batch wrote it.
            if (onlyWatermark is not null) _watermarksToWrite[team.Id] = (onlyWatermark, wroteSprints ? sprintsHash : null);
            else if (wroteSprints) await writer.RecordSprintsHashAsync(sourceId, team.Id, sprintsHash, ct);
            Interlocked.Add(ref _itemTicks, System.Diagnostics.Stopwatch.GetTimestamp() - t2);
            watermarksAfter[team.Id] = after ?? watermark;
            logger.LogInformation("Synced team {Team}: {Read} read, {Changed} changed, {Deleted} deleted, {Sprints} sprints, {Quarantined} quarantined",
                team.Id, read, changed, deleted, sprints.Sprints.Count, failed);
            return new TeamSyncResult(team.Id, read, changed + deleted, deleted, sprints.Sprints.Count, fullScope)
            {
                Status = failed > 0 ? SyncStatus.Partial : SyncStatus.Succeeded,
                Quarantined = failed,
            };
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            var message = Describe(e, sourceId, trail);
            logger.LogWarning("Team {Team} of {Source} failed: {Error}", team.Id, sourceId, message);
            return new TeamSyncResult(team.Id, 0, 0, 0, 0, full) { Status = SyncStatus.Failed, Error = message, ErrorNamesRequest = trail.Last is not null || IsTrackerError(e) };
        }
    }

    /// <summary>Reads the team's sprints and writes them unless an incremental sync got the answer last written
    /// (same hash; a full sync always writes). See docs/architecture.md, "What an unchanged sync costs".</summary>
    private async Task<(TeamSprints Sprints, string Hash, bool Wrote)> SyncSprintsAsync(ScopeRequest scope, string? storedHash, CancellationToken ct)
    {
        var t0 = System.Diagnostics.Stopwatch.GetTimestamp();
        var sprints = await collector.CollectSprintsAsync(scope, ct);
        var t1 = System.Diagnostics.Stopwatch.GetTimestamp();
        var hash = WorkItemWriter.SprintsHash(sprints);
        var wrote = scope.Full || hash != storedHash;
        if (wrote) await writer.WriteSprintsAsync(sourceId, scope.Team.Id, sprints, ct);
        Interlocked.Add(ref _sprintReadTicks, t1 - t0);
        Interlocked.Add(ref _sprintWriteTicks, System.Diagnostics.Stopwatch.GetTimestamp() - t1);
        return (sprints, hash, wrote);
    }

    /// <summary>Source-wide streams (e.g. Azure DevOps revisions), after the teams; a failure here leaves the teams' data in place.
    /// Null when the collector has no source-wide stream (nothing to report).</summary>
    public async Task<TeamSyncResult?> RunSourceWideAsync(IReadOnlyList<TeamOptions> teams, string? sourceWatermark,
        ConcurrentDictionary<string, string?> watermarksBefore, ConcurrentDictionary<string, string?> watermarksAfter, CancellationToken ct)
    {
        watermarksBefore[""] = sourceWatermark;
        var trail = RequestTrail.Begin();
        try
        {
            progress?.Report(new SyncProgress(sourceId, "", "history", 0, 0));
            var quarantined = 0;
            var batches = 0;
            await foreach (var (batch, _) in WritePipelinedAsync(
                collector.CollectSourceWideAsync(new SourceScopeRequest(teams, full ? null : sourceWatermark, full, started), ct), "", ct))
            {
                batches++;
                quarantined += batch.Quarantined.Count;
                if (batch.WatermarkAfter is not null) watermarksAfter[""] = batch.WatermarkAfter;
            }
            if (batches == 0) return null;
            return new TeamSyncResult("", 0, 0, 0, 0, full) { Status = quarantined > 0 ? SyncStatus.Partial : SyncStatus.Succeeded, Quarantined = quarantined };
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            var message = Describe(e, sourceId, trail);
            logger.LogWarning("Source-wide read of {Source} failed: {Error}", sourceId, message);
            return new TeamSyncResult("", 0, 0, 0, 0, full) { Status = SyncStatus.Failed, Error = message };
        }
    }

    /// <summary>Reads the next batch from the tracker while the previous one is being written.</summary>
    private async IAsyncEnumerable<(SyncBatch Batch, WorkItemWriter.BatchResult Result)> WritePipelinedAsync(
        IAsyncEnumerable<SyncBatch> batches, string teamId,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct, bool firstRead = false, Action<SyncBatch>? defer = null)
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
                {
                    // A team's last batch that only moves its watermark waits for the other teams' (WriteWatermarksAsync).
                    if (defer is not null && batch.WatermarkAfter is not null && WorkItemWriter.IsOnlyAWatermark(batch))
                    {
                        defer(batch);
                        yield return (batch, new WorkItemWriter.BatchResult(0, 0));
                        continue;
                    }
                    yield return (batch, await writer.WriteAsync(sourceId, teamId, batch, ct, firstRead));
                }
        }
        finally
        {
            await linked.CancelAsync();
            try { await producer; } catch (OperationCanceledException) { }
        }
    }

    /// <summary>What a failure says in the run report: tracker errors name source, request and path; database errors their code.</summary>
    public static string Describe(Exception e) => e switch
    {
        TrackerPayloadException or TrackerRequestException => e.Message,
        PostgresException pg => $"database error {pg.SqlState}: {pg.MessageText}",
        NpgsqlException npg => $"database unreachable: {npg.Message}",
        ChannelClosedException { InnerException: { } inner } => Describe(inner),
        _ => $"{e.GetType().Name}: {e.Message}",
    };

    /// <summary>
    /// <see cref="Describe(Exception)"/>, naming the source and the request whose answer was being used when a failure
    /// is not a tracker error of its own (an answer that parsed but could not be used, or a row the store refused).
    /// </summary>
    public static string Describe(Exception e, string sourceId, RequestTrail? trail)
    {
        var message = Describe(e);
        if (IsTrackerError(e)) return message;
        return trail?.Last is { } request
            ? $"source '{sourceId}': using the answer to {request} failed: {message}"
            : $"source '{sourceId}': {message}";
    }

    private static bool IsTrackerError(Exception e) =>
        e is TrackerPayloadException or TrackerRequestException || e is ChannelClosedException { InnerException: TrackerPayloadException or TrackerRequestException };
}
