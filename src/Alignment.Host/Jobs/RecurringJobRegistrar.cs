using Hangfire;
using Hangfire.Storage;
using Microsoft.Extensions.Options;

namespace Alignment.Host.Jobs;

/// <summary>
/// Registers the recurring jobs from configuration at start-up (<c>sync:{source}</c> and
/// <c>sync-full:{source}</c>) and removes recurring jobs whose source is no longer configured.
/// </summary>
public sealed partial class RecurringJobRegistrar(
    IRecurringJobManager manager, JobStorage storage, IOptions<AlignmentOptions> options, ILogger<RecurringJobRegistrar> logger)
    : IHostedService
{
    public const string SyncPrefix = "sync:", FullSyncPrefix = "sync-full:", AnalyzeId = "analyze", AnalyzeFullId = "analyze-full";
    public const string AdviceWeeklyId = "advice:weekly", AdviceOutboxId = "advice:outbox", AdviceOutboxCron = "*/15 * * * *";

    public Task StartAsync(CancellationToken ct)
    {
        var wanted = new HashSet<string>();
        foreach (var s in options.Value.Sources)
        {
            if (!string.IsNullOrWhiteSpace(s.Sync.Cron))
            {
                var id = SyncPrefix + s.Id;
                manager.AddOrUpdate<SyncJob>(id, j => j.RunAsync(s.Id, false, "schedule", CancellationToken.None), s.Sync.Cron,
                    new RecurringJobOptions { TimeZone = TimeZoneInfo.Utc });
                wanted.Add(id);
            }
            if (!string.IsNullOrWhiteSpace(s.Sync.FullCron))
            {
                var id = FullSyncPrefix + s.Id;
                manager.AddOrUpdate<SyncJob>(id, j => j.RunAsync(s.Id, true, "schedule", CancellationToken.None), s.Sync.FullCron,
                    new RecurringJobOptions { TimeZone = TimeZoneInfo.Utc });
                wanted.Add(id);
            }
        }
        RegisterAnalysis(wanted);
        var advice = options.Value.Advice;
        if (!string.IsNullOrWhiteSpace(advice.Cron) && !string.IsNullOrWhiteSpace(advice.Smtp.Host))
        {
            manager.AddOrUpdate<AdviceJob>(AdviceWeeklyId, j => j.RunWeeklyAsync("schedule", CancellationToken.None), advice.Cron,
                new RecurringJobOptions { TimeZone = TimeZoneInfo.FindSystemTimeZoneById(advice.TimeZone) });
            manager.AddOrUpdate<AdviceJob>(AdviceOutboxId, j => j.RunOutboxAsync("schedule", CancellationToken.None), AdviceOutboxCron,
                new RecurringJobOptions { TimeZone = TimeZoneInfo.Utc });
            wanted.Add(AdviceWeeklyId);
            wanted.Add(AdviceOutboxId);
        }
        else
        {
            manager.RemoveIfExists(AdviceWeeklyId);
            manager.RemoveIfExists(AdviceOutboxId);
        }
        RegisterReport(wanted);
        RegisterHooks(wanted);
        using var conn = storage.GetConnection();
        foreach (var job in conn.GetRecurringJobs())
        {
            if ((job.Id.StartsWith(SyncPrefix, StringComparison.Ordinal) || job.Id.StartsWith(FullSyncPrefix, StringComparison.Ordinal))
                && !wanted.Contains(job.Id))
            {
                manager.RemoveIfExists(job.Id);
                logger.LogInformation("Removed recurring job {JobId}: its source is no longer configured", job.Id);
            }
        }
        logger.LogInformation("Recurring jobs registered: {Jobs}", string.Join(", ", wanted.Order()));
        return Task.CompletedTask;
    }

    /// <summary>The optional <c>analyze</c> schedule and the weekly <c>analyze-full</c> (docs/architecture.md, "Incremental analysis").</summary>
    private void RegisterAnalysis(HashSet<string> wanted)
    {
        if (!string.IsNullOrWhiteSpace(options.Value.Analysis.Cron))
        {
            manager.AddOrUpdate<AnalyzeJob>(AnalyzeId, j => j.RunAsync("schedule", CancellationToken.None), options.Value.Analysis.Cron,
                new RecurringJobOptions { TimeZone = TimeZoneInfo.Utc });
            wanted.Add(AnalyzeId);
        }
        else manager.RemoveIfExists(AnalyzeId);
        if (!string.IsNullOrWhiteSpace(options.Value.Analysis.FullCron))
        {
            manager.AddOrUpdate<AnalyzeJob>(AnalyzeFullId, j => j.RunFullAsync("schedule", CancellationToken.None), options.Value.Analysis.FullCron,
                new RecurringJobOptions { TimeZone = TimeZoneInfo.Utc });
            wanted.Add(AnalyzeFullId);
        }
        else manager.RemoveIfExists(AnalyzeFullId);
    }

    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
}
