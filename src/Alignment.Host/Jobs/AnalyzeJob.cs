using Hangfire;

namespace Alignment.Host.Jobs;

/// <summary>The Hangfire entry point of the optional <c>analyze</c> schedule: the pipeline from the analysis on.</summary>
public sealed class AnalyzeJob(AlignmentPipeline pipeline, ILogger<AnalyzeJob> logger)
{
    [AutomaticRetry(Attempts = 2, OnAttemptsExceeded = AttemptsExceededAction.Fail)]
    [JobDisplayName("analyze ({0})")]
    public async Task RunAsync(string trigger, CancellationToken ct)
    {
        var r = await pipeline.AnalyzeAsync(trigger, ct);
        if (r.Skipped) logger.LogInformation("Analysis skipped: another run holds the lock");
    }

    /// <summary>The <c>analyze-full</c> schedule: the whole store read again (docs/architecture.md, "Incremental analysis").</summary>
    [AutomaticRetry(Attempts = 2, OnAttemptsExceeded = AttemptsExceededAction.Fail)]
    [JobDisplayName("analyze, full ({0})")]
    public async Task RunFullAsync(string trigger, CancellationToken ct)
    {
        var r = await pipeline.AnalyzeAsync(trigger, full: true, ct);
        if (r.Skipped) logger.LogInformation("Full analysis skipped: another run holds the lock");
    }
}
