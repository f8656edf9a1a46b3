using Mediator;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MimeKit;
using Npgsql;

namespace Alignment.Advice.Report;

/// <summary>What one run of the monthly report did: recipients queued now, already queued this month, failed to build; then the delivery pass.</summary>
public sealed record MonthlyReportRunResult(string Month, bool SmtpConfigured, bool Skipped, int Recipients, int Queued, int AlreadyQueued,
    int FailedToCompose, int Sent, int Failed);

/// <summary>
/// The monthly management report (README, "Monthly management report") for the last complete month in <c>Mi:Report:TimeZone</c>: one
/// message per recipient through the advice outbox, keyed (report, recipient, month), so however often the job runs in a month each
/// recipient gets that month's report once; then every due outbox message is delivered. Each recipient is its own outbox row: one address
/// that cannot be built or that the server refuses fails alone, is retried with back-off and shows at <c>GET /api/mi/report/deliveries</c>.
/// </summary>
public sealed record RunMonthlyReportCommand(string Trigger, bool RetryNow = false) : ICommand<MonthlyReportRunResult>;

internal sealed class RunMonthlyReportHandler(
    NpgsqlDataSource db, IMediator mediator, IOptions<AlignmentOptions> options, TimeProvider clock, ILogger<RunMonthlyReportHandler> logger)
    : ICommandHandler<RunMonthlyReportCommand, MonthlyReportRunResult>
{
    public const string LockName = "alignment:report", Kind = "report";

    public async ValueTask<MonthlyReportRunResult> Handle(RunMonthlyReportCommand command, CancellationToken ct)
    {
        var o = options.Value;
        var now = clock.GetUtcNow();
        var month = ReportMonth.LastComplete(now, TimeZoneInfo.FindSystemTimeZoneById(o.Mi.Report.TimeZone));
        var recipients = MonthlyReportRecipients.Of(o);
        if (string.IsNullOrWhiteSpace(o.Advice.Smtp.Host))
        {
            logger.LogWarning("Monthly report ({Trigger}): Alignment:Advice:Smtp:Host is not set; nothing queued (the page GET /api/mi/report works)", command.Trigger);
            return new(month.ToString(), false, false, recipients.Count, 0, 0, 0, 0, 0);
        }
        await using var guard = await Database.TryLockAsync(db, LockName, ct);
        if (guard is null)
        {
            logger.LogInformation("Monthly report ({Trigger}) skipped: another run holds the lock", command.Trigger);
            return new(month.ToString(), true, true, recipients.Count, 0, 0, 0, 0, 0);
        }
        HashSet<string> existing;
        await using (var conn = await db.OpenConnectionAsync(ct)) existing = await AdviceOutbox.ExistingAsync(conn, Kind, month.ToString(), ct);
        var due = recipients.Where(r => !existing.Contains(r.Address)).ToList();
        var (queued, failed) = due.Count == 0 ? (0, 0) : await QueueAsync(command, month, due, now, ct);
        var delivery = await AdviceOutbox.DeliverAsync(db, o.Advice.Smtp, clock, command.RetryNow, logger, ct);
        logger.LogInformation("Monthly report ({Trigger}) {Month}: {Recipients} recipients, {Queued} queued, {Already} already queued, {FailedToCompose} failed to build; {Sent} sent, {Failed} failed",
            command.Trigger, month, recipients.Count, queued, recipients.Count - queued - failed, failed, delivery.Sent, delivery.Failed);
        return new(month.ToString(), true, false, recipients.Count, queued, recipients.Count - queued - failed, failed,
            delivery.Sent, delivery.Failed + failed);
    }

    /// <summary>Composes and renders the report once, then queues one message per recipient; a recipient that fails is counted and named by its key.</summary>
    private async Task<(int Queued, int Failed)> QueueAsync(RunMonthlyReportCommand command, ReportMonth month, List<MonthlyReportRecipient> due,
        DateTimeOffset now, CancellationToken ct)
    {
        var o = options.Value;
        var report = await MonthlyReportComposer.ComposeAsync(mediator, o.Mi.Report, month, now, ct);
        var charts = ReportCharts.Draw(report);
        var rendered = ReportRenderer.Render(ReportViews.Of(report, charts, c => "cid:" + ReportRenderer.ContentId(report.Month, c), PageUrl(o, month)));
        var from = string.IsNullOrWhiteSpace(o.Advice.Smtp.From) ? "alignment@localhost" : o.Advice.Smtp.From;
        int queued = 0, failed = 0;
        await using var conn = await db.OpenConnectionAsync(ct);
        foreach (var r in due)
        {
            try
            {
                var messageId = AdviceRenderer.MessageId(Kind, month.ToString(), r.Address);
                var mime = ReportRenderer.ToMime(rendered, charts, report.Month, from, r.Address, messageId, now);
                if (await AdviceOutbox.EnqueueAsync(conn, new OutboxMessage(Kind, r.Address, month.ToString(), messageId, rendered.Subject,
                        AdviceRenderer.Bytes(mime), []), now, ct))
                    queued++;
            }
            catch (ParseException)
            {
                // One address MIME cannot take never keeps the report from the others; the key names it without the address itself.
                failed++;
                logger.LogWarning("Monthly report ({Trigger}) {Month}: the recipient of {Key} is not an address MIME accepts; skipped", command.Trigger, month, r.Key);
            }
        }
        return (queued, failed);
    }

    /// <summary>The printable page of the month on this service, when <c>Advice:DashboardUrl</c> says where it is reached.</summary>
    internal static string? PageUrl(AlignmentOptions o, ReportMonth month) =>
        string.IsNullOrWhiteSpace(o.Advice.DashboardUrl) ? null : $"{o.Advice.DashboardUrl.TrimEnd('/')}/api/mi/report?month={month}";
}

/// <summary>A recipient of the report and the configuration key it came from (<c>Alignment:Mi:Report:Recipients:0</c>, <c>Alignment:Auth:ApiKeys:2:Email</c>).</summary>
public sealed record MonthlyReportRecipient(string Address, string Key);

public static class MonthlyReportRecipients
{
    /// <summary>The configured recipients and (with <c>ManagementKeys</c>) the management keys' e-mail addresses, lower-case, each once.</summary>
    public static List<MonthlyReportRecipient> Of(AlignmentOptions o)
    {
        var list = new List<MonthlyReportRecipient>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        void Add(string? address, string key)
        {
            var a = address?.Trim().ToLowerInvariant();
            if (!string.IsNullOrEmpty(a) && seen.Add(a)) list.Add(new MonthlyReportRecipient(a, key));
        }
        for (var i = 0; i < o.Mi.Report.Recipients.Count; i++) Add(o.Mi.Report.Recipients[i], $"Alignment:Mi:Report:Recipients:{i}");
        if (o.Mi.Report.ManagementKeys)
            for (var i = 0; i < o.Auth.ApiKeys.Count; i++)
                if (o.Auth.ApiKeys[i].Role == Viewer.Management) Add(o.Auth.ApiKeys[i].Email, $"Alignment:Auth:ApiKeys:{i}:Email");
        return list;
    }
}
