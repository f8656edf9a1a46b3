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
            .WithSummary("Planning intervals (Alignment:PlanningIntervals, or read from the trackers: Sources:N:Intervals): per interval, team and the organisation, what was planned and delivered, "
                + "predictability by count, points and business value, interval velocity, scope change, the slipped epics and features with their "
                + "reasons, and while an interval runs the forecast of its planned work (?interval=&team= to narrow; CSV on request)");
        MapExplain(mi);
    }

    private static void MapExplain(RouteGroupBuilder mi) =>
        mi.MapGet("/intervals/explain", async Task<Results<Ok<MiExplanation>, ValidationProblem, ProblemHttpResult>> (
                string? interval, string? team, string? figure, IMediator mediator, CancellationToken ct) =>
            {
                if (Blank(interval) is null)
                    return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["interval"] = ["required: a configured interval's id"] });
                var name = Blank(figure) ?? IntervalFigures.Figures[1];
                if (!IntervalFigures.Figures.Contains(name))
                    return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["figure"] = [$"one of {string.Join(", ", IntervalFigures.Figures)}"] });
                return await mediator.Send(new ExplainMiIntervalQuery(interval!, Blank(team), name), ct) is { } e
                    ? TypedResults.Ok(e)
                    : Problems.NotFound("Unknown interval or team", $"No planning interval '{interval}' or no team '{team}' in the intervals document.");
            })
            .ProducesProblem(StatusCodes.Status404NotFound).WithName("ExplainMiInterval")
            .WithSummary("An interval figure (?figure=predictabilityCount|predictabilityPoints|predictabilityValue|velocity|scopeAddedPoints|scopeRemovedPoints, "
                + "default predictabilityPoints) of a team: its planned items with their epic or feature, planned points, whether each was delivered and why "
                + "not, and its unplanned work; without a team, each team's share of the organisation's figure");

    private static string? Blank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s;
}
