using Dapper;
using Mediator;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Alignment.Advice.Report;

/// <summary>
/// The monthly report of <see cref="Month"/> as a printable HTML page (<c>GET /api/mi/report?month=</c>): the same composition and template
/// as the e-mail, rendered now, with the charts embedded as data URIs.
/// </summary>
public sealed record GetMonthlyReportPageQuery(ReportMonth Month) : IQuery<RenderedMessage>;

internal sealed class GetMonthlyReportPageHandler(IMediator mediator, IOptions<AlignmentOptions> options, TimeProvider clock)
    : IQueryHandler<GetMonthlyReportPageQuery, RenderedMessage>
{
    public async ValueTask<RenderedMessage> Handle(GetMonthlyReportPageQuery query, CancellationToken ct)
    {
        var report = await MonthlyReportComposer.ComposeAsync(mediator, options.Value.Mi.Report, query.Month, clock.GetUtcNow(), ct);
        var charts = ReportCharts.Draw(report);
        return ReportRenderer.Render(ReportViews.Of(report, charts, ReportRenderer.DataUri, pageUrl: null));
    }
}

/// <summary>One recipient's message of a month's report in the outbox: <c>pending</c> (with the next attempt), <c>sent</c> or <c>failed</c> (given up).</summary>
public sealed record MonthlyReportDelivery(string Recipient, string Status, int Attempts, string? LastError, DateTimeOffset? NextAttemptAt,
    DateTimeOffset? SentAt);

/// <summary>The delivery state of <see cref="Month"/>'s report per recipient (<c>GET /api/mi/report/deliveries?month=</c>).</summary>
public sealed record GetMonthlyReportDeliveriesQuery(ReportMonth Month) : IQuery<IReadOnlyList<MonthlyReportDelivery>>;

internal sealed class GetMonthlyReportDeliveriesHandler(NpgsqlDataSource db)
    : IQueryHandler<GetMonthlyReportDeliveriesQuery, IReadOnlyList<MonthlyReportDelivery>>
{
    private sealed record Row(string Recipient, string Status, int Attempts, string? LastError, DateTime NextAttemptAt, DateTime? SentAt);

    public async ValueTask<IReadOnlyList<MonthlyReportDelivery>> Handle(GetMonthlyReportDeliveriesQuery query, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var rows = await conn.QueryAsync<Row>(new CommandDefinition("""
            SELECT product_owner_email AS recipient, status, attempts, last_error AS lasterror, next_attempt_at AS nextattemptat, sent_at AS sentat
              FROM ops.advice_outbox
             WHERE kind = @kind AND period = @period
             ORDER BY product_owner_email
            """, new { kind = RunMonthlyReportHandler.Kind, period = query.Month.ToString() }, cancellationToken: ct));
        return rows.Select(r => new MonthlyReportDelivery(r.Recipient, r.Status, r.Attempts, r.LastError,
            r.Status == "pending" ? Utc(r.NextAttemptAt) : null, r.SentAt is { } s ? Utc(s) : null)).ToList();
    }

    private static DateTimeOffset Utc(DateTime d) => new(DateTime.SpecifyKind(d, DateTimeKind.Utc));
}
