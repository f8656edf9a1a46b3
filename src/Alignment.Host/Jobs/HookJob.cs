using Alignment.Application.Hooks;
using Alignment.Store.Hooks;
using Hangfire;

namespace Alignment.Host.Jobs;

/// <summary>
/// The Hangfire entry point of webhook processing (docs/webhooks.md): queued by the receiver for each new delivery, and every minute by the
/// <c>hooks:pending</c> schedule for deliveries due again after a failure (or whose job was lost).
/// </summary>
public sealed class HookJob(HookProcessor processor, HookDeliveryStore store, IBackgroundJobClient jobs, TimeProvider clock)
{
    [AutomaticRetry(Attempts = 0)] // a failure is recorded on the deliveries, which are due again after their back-off
    [JobDisplayName("hooks {0}")]
    public async Task RunAsync(string sourceId, CancellationToken ct)
    {
        var result = await processor.ProcessAsync(sourceId, ct);
        if (result.RetryAfter is { } delay) jobs.Schedule<HookJob>(j => j.RunAsync(sourceId, CancellationToken.None), delay);
    }

    [AutomaticRetry(Attempts = 0)]
    [JobDisplayName("hooks: deliveries due")]
    public async Task RunDueAsync(CancellationToken ct)
    {
        foreach (var source in await store.SourcesDueAsync(clock.GetUtcNow(), ct)) await processor.ProcessAsync(source, ct);
    }
}
