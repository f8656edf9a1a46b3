using Hangfire;

namespace Alignment.Host.Jobs;

/// <summary>The Hangfire entry point of a sync: one pass of the pipeline for one source (docs/architecture.md, "The pipeline").</summary>
public sealed class SyncJob(AlignmentPipeline pipeline, ILogger<SyncJob> logger)
{
    [AutomaticRetry(Attempts = 3, OnAttemptsExceeded = AttemptsExceededAction.Fail)]
    [JobDisplayName("sync {0} (full: {1}, {2})")]
    public async Task RunAsync(string sourceId, bool full, string trigger, CancellationToken ct)
    {
        var pass = await pipeline.SyncAsync([new SyncRequest(sourceId, null, full, trigger)], null, ct);
        var result = pass.Syncs[0];
        switch (result.Status)
        {
            case SyncStatus.Failed:
                // The analysis already followed (SYNC-STALE shows it); failing the job lets Hangfire retry, the run row holds the error.
                throw new SyncFailedException($"sync run {result.RunId} of source '{sourceId}' failed: {result.Error}");
            case SyncStatus.Skipped:
                logger.LogInformation("Sync of {Source} skipped: another run holds the source's lock", sourceId);
                break;
            default:
                if (result.Status == SyncStatus.Partial)
                    logger.LogWarning("Sync run {RunId} of {Source} ended partial: {Error}", result.RunId, sourceId, result.Error);
                logger.LogInformation("Sync run {RunId} of {Source}: {Read} read, {Changed} changed, {Requests} requests",
                    result.RunId, sourceId, result.ItemsRead, result.ItemsChanged, result.Requests);
                break;
        }
    }
}

public sealed class SyncFailedException(string message) : Exception(message);
