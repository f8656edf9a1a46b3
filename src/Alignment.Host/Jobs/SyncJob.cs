using Alignment.Core.Sync;
using Hangfire;
using Mediator;

namespace Alignment.Host.Jobs;

/// <summary>The Hangfire entry point of a sync: takes ids, sends one mediator command.</summary>
public sealed class SyncJob(IMediator mediator, ILogger<SyncJob> logger, IBackgroundJobClient jobs)
{
    [AutomaticRetry(Attempts = 3, OnAttemptsExceeded = AttemptsExceededAction.Fail)]
    [JobDisplayName("sync {0} (full: {1}, {2})")]
    public async Task RunAsync(string sourceId, bool full, string trigger, CancellationToken ct)
    {
        var result = await mediator.Send(new RunSyncCommand(new SyncRequest(sourceId, null, full, trigger)), ct);
        switch (result.Status)
        {
            case SyncStatus.Failed:
                // The analysis follows a failed run too, so SYNC-STALE shows it without waiting for another source's success.
                jobs.Enqueue<AnalyzeJob>(j => j.RunAsync("sync-failed:" + sourceId, CancellationToken.None));
                // Failing the job lets Hangfire retry it; the run row already holds the error.
                throw new SyncFailedException($"sync run {result.RunId} of source '{sourceId}' failed: {result.Error}");
            case SyncStatus.Skipped:
                logger.LogInformation("Sync of {Source} skipped: another run holds the source's lock", sourceId);
                break;
            default:
                if (result.Status == SyncStatus.Partial)
                    logger.LogWarning("Sync run {RunId} of {Source} ended partial: {Error}", result.RunId, sourceId, result.Error);
                logger.LogInformation("Sync run {RunId} of {Source}: {Read} read, {Changed} changed, {Requests} requests",
                    result.RunId, sourceId, result.ItemsRead, result.ItemsChanged, result.Requests);
                // The analysis follows every sync that wrote (succeeded or partial) (idempotent; one at a time under its advisory lock).
                jobs.Enqueue<AnalyzeJob>(j => j.RunAsync("sync:" + sourceId, CancellationToken.None));
                break;
        }
    }
}

public sealed class SyncFailedException(string message) : Exception(message);
