using Alignment.Host.Hosting;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Alignment.Host.Endpoints;

/// <summary>Planning intervals and predictability (docs/figures.md, "Planning intervals"): admin, PMO and management, as the rest of the MI.</summary>
public static class IntervalEndpoints
{
    public static void MapIntervalEndpoints(this RouteGroupBuilder mi)
    {
        mi.MapGet("/intervals", async Task<Results<Ok<MiIntervals>, ContentHttpResult, ValidationProblem, ProblemHttpResult>> (
                string? interval, string? team, string? format, HttpContext http, IMediator mediator, CancellationToken ct) =>
            {
                if (MiEndpoints.BadFormat(format) is { } bad) return bad;
                var doc = await mediator.Send(new GetMiIntervalsQuery(Blank(interval), Blank(team)), ct);
                if (doc is null)
                    return Problems.NotFound("Unknown interval or team", $"No planning interval '{interval}' or no team '{team}' in the intervals document.");
                return MiEndpoints.WantsCsv(format, http) ? MiEndpoints.CsvResult(http, "mi-intervals.csv", MiIntervalsCsv.Write(doc)) : TypedResults.Ok(doc);
            })
            .Produces(StatusCodes.Status200OK, contentType: "text/csv").ProducesProblem(StatusCodes.Status404NotFound).WithName("GetMiIntervals")
            .WithSummary("Planning intervals (Alignment:PlanningIntervals): per interval, team and the organisation, what was planned and delivered, "
                + "predictability by count, points and business value, interval velocity, scope change, the slipped epics and features with their "
                + "reasons, and while an interval runs the forecast of its planned work (?interval=&team= to narrow; CSV on request)");
    }

    private static string? Blank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s;
}
