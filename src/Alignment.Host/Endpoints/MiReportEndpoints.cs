using Alignment.Advice.Report;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Alignment.Host.Endpoints;

/// <summary>
/// The monthly management report (README, "Monthly management report") as a printable page, and the delivery of its e-mail per recipient:
/// admin, PMO and management, as the rest of the MI.
/// </summary>
public static class MiReportEndpoints
{
    /// <summary>The page has no scripts; the policy makes sure nothing in it could run or load anything but its own inline images.</summary>
    public const string PagePolicy = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    public static void MapMiReportEndpoints(this RouteGroupBuilder mi)
    {
        mi.MapGet("/report", async Task<Results<ContentHttpResult, ValidationProblem>> (
                string? month, HttpContext http, TimeProvider time, IOptions<AlignmentOptions> options, IMediator mediator, CancellationToken ct) =>
            {
                if (Month(month, time, options.Value) is not { } m) return BadMonth(month, time, options.Value);
                var page = await mediator.Send(new GetMonthlyReportPageQuery(m), ct);
                http.Response.Headers.ContentSecurityPolicy = PagePolicy;
                http.Response.Headers.XContentTypeOptions = "nosniff";
                http.Response.Headers.CacheControl = "no-store";
                return TypedResults.Text(page.Html, "text/html; charset=utf-8");
            })
            .Produces<string>(StatusCodes.Status200OK, "text/html").WithName("GetMiReport")
            .WithSummary("The monthly management report as a printable HTML page (?month=yyyy-MM, default the last complete month in Mi:Report:TimeZone): "
                + "the organisation's month-end key figures from the MI history with the month before and the trend as charts, the planning-interval "
                + "predictability and the top risks; the same report the monthly e-mail carries");

        mi.MapGet("/report/deliveries", async Task<Results<Ok<IReadOnlyList<MonthlyReportDelivery>>, ValidationProblem>> (
                string? month, TimeProvider time, IOptions<AlignmentOptions> options, IMediator mediator, CancellationToken ct) =>
                Month(month, time, options.Value) is { } m
                    ? TypedResults.Ok(await mediator.Send(new GetMonthlyReportDeliveriesQuery(m), ct))
                    : BadMonth(month, time, options.Value))
            .WithName("GetMiReportDeliveries")
            .WithSummary("The monthly report's e-mail per recipient for a month (?month=yyyy-MM, default the last complete month): status (pending, sent, "
                + "failed), attempts, the last error, the next attempt; a recipient the mail server refuses fails alone and is retried with back-off");
    }

    /// <summary>The requested month, or the last complete one; null when it is not a month up to the current one.</summary>
    private static ReportMonth? Month(string? month, TimeProvider time, AlignmentOptions o)
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById(o.Mi.Report.TimeZone);
        var now = time.GetUtcNow();
        if (month is null) return ReportMonth.LastComplete(now, zone);
        return ReportMonth.TryParse(month, out var m) && m.First <= ReportMonth.Current(now, zone).First ? m : null;
    }

    private static ValidationProblem BadMonth(string? month, TimeProvider time, AlignmentOptions o) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]>
        {
            ["month"] = [$"'{month}' must be a month yyyy-MM, at the latest the current one ({ReportMonth.Current(time.GetUtcNow(), TimeZoneInfo.FindSystemTimeZoneById(o.Mi.Report.TimeZone))})"],
        });
}
