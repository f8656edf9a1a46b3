using Microsoft.Extensions.DependencyInjection;

namespace Alignment.IntegrationTests.Infrastructure;

/// <summary>The pipeline as the jobs and the CLI call it, one source at a time.</summary>
public static class PipelineCalls
{
    /// <summary>One pass of the pipeline for one sync request; returns that sync's result (the analysis, MI and alerts followed).</summary>
    public static async Task<SyncRunResult> SyncOneAsync(this IServiceProvider services, SyncRequest request, CancellationToken ct = default) =>
        (await services.GetRequiredService<AlignmentPipeline>().SyncAsync([request], null, ct)).Syncs[0];

    /// <summary>The pipeline from the analysis on.</summary>
    public static Task<AnalysisRunResult> AnalyzeAsync(this IServiceProvider services, string trigger = "test", CancellationToken ct = default) =>
        services.GetRequiredService<AlignmentPipeline>().AnalyzeAsync(trigger, ct);

    /// <summary>
    /// A full analysis: what a test needs after it changed the store with SQL instead of through a sync (the change log, which the
    /// incremental analysis reads, knows only what the sync writer wrote).
    /// </summary>
    public static Task<AnalysisRunResult> AnalyzeFullAsync(this IServiceProvider services, string trigger = "test", CancellationToken ct = default) =>
        services.GetRequiredService<AlignmentPipeline>().AnalyzeAsync(trigger, full: true, ct);
}
