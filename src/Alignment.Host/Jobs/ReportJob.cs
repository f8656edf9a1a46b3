using Alignment.Advice.Report;
using Hangfire;
using Mediator;

namespace Alignment.Host.Jobs;

/// <summary>
/// Hangfire entry point of the monthly management report (<c>report:monthly</c>, on <c>Mi:Report:Cron</c> in <c>Mi:Report:TimeZone</c>). Safe to
/// run any number of times: the outbox holds one message per recipient and month, so a month's report goes out once.
/// </summary>
public sealed class ReportJob(IMediator mediator, ILogger<ReportJob> logger)
{
    [AutomaticRetry(Attempts = 3, OnAttemptsExceeded = AttemptsExceededAction.Fail)]
    [JobDisplayName("monthly report ({0})")]
    public async Task RunMonthlyAsync(string trigger, CancellationToken ct)
    {
        var r = await mediator.Send(new RunMonthlyReportCommand(trigger), ct);
        if (r.Skipped) logger.LogInformation("Monthly report skipped: another run holds the lock");
    }
}
