using Alignment.Advice.Report;
using Hangfire;

namespace Alignment.Host.Jobs;

/// <summary>The monthly report's schedule (README, "Monthly management report").</summary>
public sealed partial class RecurringJobRegistrar
{
    public const string ReportMonthlyId = "report:monthly";

    /// <summary>
    /// <c>report:monthly</c> when SMTP, a cron and at least one recipient are configured, and with it <c>advice:outbox</c>, which retries
    /// the report's failed deliveries (also when the weekly digests are off).
    /// </summary>
    private void RegisterReport(HashSet<string> wanted)
    {
        var o = options.Value;
        var report = o.Mi.Report;
        if (string.IsNullOrWhiteSpace(report.Cron) || string.IsNullOrWhiteSpace(o.Advice.Smtp.Host) || MonthlyReportRecipients.Of(o).Count == 0)
        {
            manager.RemoveIfExists(ReportMonthlyId);
            if (!string.IsNullOrWhiteSpace(report.Cron) && !string.IsNullOrWhiteSpace(o.Advice.Smtp.Host))
                logger.LogWarning("Monthly report not scheduled: no recipients (Alignment:Mi:Report:Recipients, or management API keys with an Email)");
            return;
        }
        manager.AddOrUpdate<ReportJob>(ReportMonthlyId, j => j.RunMonthlyAsync("schedule", CancellationToken.None), report.Cron,
            new RecurringJobOptions { TimeZone = TimeZoneInfo.FindSystemTimeZoneById(report.TimeZone) });
        wanted.Add(ReportMonthlyId);
        if (wanted.Add(AdviceOutboxId))
            manager.AddOrUpdate<AdviceJob>(AdviceOutboxId, j => j.RunOutboxAsync("schedule", CancellationToken.None), AdviceOutboxCron,
                new RecurringJobOptions { TimeZone = TimeZoneInfo.Utc });
    }
}
