using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Alignment.Application.Pipeline;

/// <summary>What one pass of the pipeline did: each sync run, and the analysis that followed (null when no sync ran).</summary>
public sealed record PipelineResult(IReadOnlyList<SyncRunResult> Syncs, AnalysisRunResult? Analysis)
{
    public bool AnySyncFailed => Syncs.Any(s => s.Status == SyncStatus.Failed);
}

/// <summary>
/// Everything that happens after data arrives, in one place and in this order (docs/architecture.md, "The pipeline"):
/// <list type="number">
/// <item>sync each requested source (<see cref="SyncRunner"/>);</item>
/// <item>recompute the sprint figures of every source that wrote, recording observed sprint snapshots;</item>
/// <item>analyse the whole store once (<see cref="AnalysisStep"/>) — also after a failed sync, so SYNC-STALE can say so;</item>
/// <item>store the MI documents the analysis implies (<see cref="MiSnapshots"/>);</item>
/// <item>queue and send critical dependency alerts (<see cref="AdviceOutboxPass"/>), when e-mail is configured.</item>
/// </list>
/// The Hangfire jobs, <c>alignment sync</c>, <c>alignment analyze</c>, the demo and the benchmark all call this class;
/// nothing else triggers these steps.
/// </summary>
public sealed class AlignmentPipeline(
    SyncRunner sync, SprintFiguresRefresher sprints, AnalysisStep analysis, MiSnapshots mi, AdviceOutboxPass alerts,
    IOptions<AlignmentOptions> options, ILogger<AlignmentPipeline> logger)
{
    /// <summary>Steps 1–5 for the given sync requests (one per source).</summary>
    public async Task<PipelineResult> SyncAsync(IReadOnlyList<SyncRequest> requests, IProgress<SyncProgress>? progress, CancellationToken ct)
    {
        var results = new List<SyncRunResult>();
        foreach (var request in requests)
        {
            var result = await sync.RunAsync(request, progress, ct);
            if (result.Wrote && request.Teams is { } targeted)
            {
                // A targeted sync (webhooks): the figures of the teams it read.
                foreach (var team in result.Teams.Select(t => t.TeamId).Where(targeted.Contains))
                    await sprints.RefreshAsync(result.SourceId, team, recordSnapshots: true, ct);
            }
            else if (result.Wrote) await sprints.RefreshAsync(result.SourceId, request.TeamId, recordSnapshots: true, ct);
            results.Add(result);
        }
        if (results.All(r => r.Status == SyncStatus.Skipped)) return new PipelineResult(results, null);
        var trigger = "sync:" + string.Join(",", results.Select(r => r.SourceId));
        return new PipelineResult(results, await AnalyzeAsync(trigger, ct));
    }

    /// <summary>Steps 3–5: the analysis, the MI and the alerts (the <c>analyze</c> schedule and verb).</summary>
    public Task<AnalysisRunResult> AnalyzeAsync(string trigger, CancellationToken ct) => AnalyzeAsync(trigger, full: false, ct);

    /// <summary>
    /// As above; <paramref name="full"/> reads the whole store instead of patching this process's previous snapshot with the changed items
    /// (the <c>analyze-full</c> schedule, <c>alignment analyze --full</c>).
    /// </summary>
    public async Task<AnalysisRunResult> AnalyzeAsync(string trigger, bool full, CancellationToken ct)
    {
        var result = await analysis.RunAsync(trigger, full, ct);
        if (result.Skipped) return result; // the run holding the lock refreshes MI and alerts when it ends
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await mi.RefreshAsync(ct, result.Mi);
        var miMs = clock.Elapsed.TotalMilliseconds;
        clock.Restart();
        if (!string.IsNullOrWhiteSpace(options.Value.Advice.Smtp.Host) && options.Value.Advice.AlertsEnabled)
        {
            var sent = await alerts.RunAsync(trigger, retryNow: false, ct);
            if (sent.Alerts > 0) logger.LogInformation("Pipeline ({Trigger}): {Alerts} critical alerts queued", trigger, sent.Alerts);
        }
        return result with
        {
            Phases = result.Phases + FormattableString.Invariant($" mi={miMs:0} ({mi.LastRefreshPhases}) alerts={clock.Elapsed.TotalMilliseconds:0}"),
        };
    }
}
