using Alignment.Core.Analysis;
using Hangfire;
using Mediator;

namespace Alignment.Host.Jobs;

/// <summary>The Hangfire entry point of an analysis run: after each successful sync (continuation), on the optional <c>analyze</c> schedule.</summary>
public sealed class AnalyzeJob(IMediator mediator, ILogger<AnalyzeJob> logger)
{
    [AutomaticRetry(Attempts = 2, OnAttemptsExceeded = AttemptsExceededAction.Fail)]
    [JobDisplayName("analyze ({0})")]
    public async Task RunAsync(string trigger, CancellationToken ct)
    {
        var r = await mediator.Send(new RunAnalysisCommand(trigger), ct);
        if (r.Skipped) logger.LogInformation("Analysis skipped: another run holds the lock");
    }
}
