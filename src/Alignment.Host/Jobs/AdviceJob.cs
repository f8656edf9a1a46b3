using Hangfire;
using Mediator;

namespace Alignment.Host.Jobs;

/// <summary>
/// Hangfire entry points of the advice e-mails: <c>advice:weekly</c> (the digests, on <c>Advice:Cron</c> in <c>Advice:TimeZone</c>)
/// and <c>advice:outbox</c> (dependency alerts and retries of due outbox messages). Both are safe to run twice: the outbox has a unique key.
/// </summary>
public sealed class AdviceJob(IMediator mediator, ILogger<AdviceJob> logger)
{
    [AutomaticRetry(Attempts = 2, OnAttemptsExceeded = AttemptsExceededAction.Fail)]
    [JobDisplayName("advice digests ({0})")]
    public async Task RunWeeklyAsync(string trigger, CancellationToken ct)
    {
        var r = await mediator.Send(new RunAdviceCommand(trigger), ct);
        if (r.Skipped) logger.LogInformation("Advice skipped: another run holds the lock");
    }

    [AutomaticRetry(Attempts = 0)]
    [JobDisplayName("advice outbox ({0})")]
    public async Task RunOutboxAsync(string trigger, CancellationToken ct) => await mediator.Send(new RunAdviceOutboxCommand(trigger), ct);
}
