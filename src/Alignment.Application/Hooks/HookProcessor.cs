using Alignment.Domain.Hooks;
using Alignment.Store.Hooks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Alignment.Application.Hooks;

/// <summary>What one call of <see cref="HookProcessor.ProcessAsync"/> did; <see cref="RetryAfter"/>: come back then (another sync held the source).</summary>
public sealed record HookPassResult(int Deliveries, int Syncs, TimeSpan? RetryAfter)
{
    public static readonly HookPassResult Nothing = new(0, 0, null);
}

/// <summary>
/// Turns recorded deliveries into targeted syncs (docs/webhooks.md, "Flow"). Holding the advisory lock <c>hooks:{source}</c> (one processor per
/// source across every host), it waits until the oldest due delivery is <c>Hooks:CoalesceWindow</c> old, takes every delivery due then, maps
/// them to teams and items (<see cref="HookTargets"/>) and runs one pass of the pipeline for those teams — the items re-read from the tracker
/// through the sync's collectors and converters, then sprint figures, analysis, MI and alerts. A failure leaves the deliveries pending with
/// their attempts and error, due again after a back-off. A processor that finds the lock held returns: the holder looks again after releasing it.
/// </summary>
public sealed class HookProcessor(
    NpgsqlDataSource db, HookDeliveryStore store, AlignmentPipeline pipeline, IOptionsMonitor<AlignmentOptions> options, TimeProvider clock,
    ILogger<HookProcessor> logger)
{
    /// <summary>Deliveries handled by one targeted sync at most; the rest go into the next.</summary>
    public const int MaxPerSync = 500;
    /// <summary>When another sync of the source holds its lock, the deliveries are due again this much later.</summary>
    public static readonly TimeSpan BusyRetry = TimeSpan.FromSeconds(5);

    public async Task<HookPassResult> ProcessAsync(string sourceId, CancellationToken ct)
    {
        var config = options.CurrentValue;
        if (config.Source(sourceId) is not { } source) return HookPassResult.Nothing;
        var total = HookPassResult.Nothing;
        for (var round = 0; round < 10; round++)
        {
            await using (var held = await Database.TryLockAsync(db, "hooks:" + sourceId, ct))
            {
                if (held is null) return total;
                while (total.RetryAfter is null && await OnePassAsync(config, source, ct) is { } pass)
                    total = new HookPassResult(total.Deliveries + pass.Deliveries, total.Syncs + pass.Syncs, pass.RetryAfter);
            }
            // A delivery recorded while we held the lock may have found it held and left it to us.
            if (total.RetryAfter is not null || await store.OldestDueAsync(sourceId, clock.GetUtcNow(), ct) is null) break;
        }
        if (total.Deliveries > 0) await store.PruneAsync(clock.GetUtcNow(), ct);
        return total;
    }

    /// <summary>One targeted sync for the deliveries due; null when none is.</summary>
    private async Task<HookPassResult?> OnePassAsync(AlignmentOptions config, SourceOptions source, CancellationToken ct)
    {
        var oldest = await store.OldestDueAsync(source.Id, clock.GetUtcNow(), ct);
        if (oldest is null) return null;
        var wait = oldest.Value + source.Hooks.CoalesceWindow - clock.GetUtcNow();
        if (wait > TimeSpan.Zero) await Task.Delay(wait, clock, ct);
        var due = await store.DueAsync(source.Id, clock.GetUtcNow(), MaxPerSync, ct);
        if (due.Count == 0) return null;
        var ids = due.Select(d => d.Id).ToList();
        var targets = await HookTargets.ResolveAsync(store, config, source, due, ct);
        if (targets.Teams.Count == 0)
        {
            logger.LogInformation("Hooks of {Source}: {Count} deliveries concern no configured team", source.Id, due.Count);
            await store.MarkProcessedAsync(ids, clock.GetUtcNow(), null, ct);
            return new HookPassResult(due.Count, 0, null);
        }
        var request = new SyncRequest(source.Id, Trigger: "hook")
        {
            Teams = targets.Teams, ReRead = targets.ReRead, FullTeams = targets.FullTeams.Count > 0 ? targets.FullTeams : null,
        };
        SyncRunResult sync;
        try
        {
            sync = (await pipeline.SyncAsync([request], null, ct)).Syncs[0];
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            await RetryAsync(ids, TeamScopeRunner.Describe(e), counts: true, retryAt: null);
            return new HookPassResult(due.Count, 1, null);
        }
        var failedTeams = sync.Teams.Where(t => t.Status == SyncStatus.Failed).Select(t => t.TeamId).ToList();
        if (sync.Status == SyncStatus.Skipped)
        {
            await RetryAsync(ids, sync.Error ?? "another sync of the source was running", counts: false, clock.GetUtcNow() + BusyRetry);
            return new HookPassResult(due.Count, 1, BusyRetry);
        }
        if (sync.Status == SyncStatus.Failed || failedTeams.Count > 0)
            await RetryAsync(ids, sync.Error ?? "the targeted sync failed", counts: true, retryAt: null);
        else
            await store.MarkProcessedAsync(ids, clock.GetUtcNow(), sync.RunId, ct);
        logger.LogInformation("Hooks of {Source}: {Count} deliveries, targeted sync run {RunId} of {Teams} team(s) ended {Status}",
            source.Id, due.Count, sync.RunId, targets.Teams.Count, sync.Status.Name());
        return new HookPassResult(due.Count, 1, null);

        // Recorded even when the caller gave up, so the deliveries' state says what happened.
        Task RetryAsync(IReadOnlyList<long> which, string error, bool counts, DateTimeOffset? retryAt)
        {
            logger.LogWarning("Hooks of {Source}: {Count} deliveries not processed: {Error}", source.Id, which.Count, error);
            return store.MarkRetryAsync(which, clock.GetUtcNow(), error, counts, retryAt, CancellationToken.None);
        }
    }
}
