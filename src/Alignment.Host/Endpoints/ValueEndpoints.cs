using Alignment.Host.Hosting;
using Mediator;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Alignment.Host.Endpoints;

/// <summary>
/// WSJF by epic and feature (docs/figures.md, "Value"): admin, PMO and management see every team; a product owner sees their own teams'
/// backlogs (value is theirs to steer), unlike the rest of the MI.
/// </summary>
public static class ValueEndpoints
{
    public static RouteGroupBuilder MapValueEndpoints(this RouteGroupBuilder api)
    {
        var value = api.MapGroup("/mi/value").WithTags("Management information")
            .RequireAuthorization(new AuthorizeAttribute { Roles = string.Join(",", Viewer.Admin, Viewer.Pmo, Viewer.Management, Viewer.ProductOwner) });

        value.MapGet("", async Task<Results<Ok<MiValue>, ContentHttpResult, ValidationProblem>> (
                string? format, HttpContext http, IMediator mediator, CancellationToken ct) =>
            {
                if (MiEndpoints.BadFormat(format) is { } bad) return bad;
                var doc = await mediator.Send(new GetMiValueQuery(http.User.Viewer()), ct);
                return MiEndpoints.WantsCsv(format, http) ? MiEndpoints.CsvResult(http, "mi-value.csv", MiCsv.Value(doc)) : TypedResults.Ok(doc);
            })
            .Produces(StatusCodes.Status200OK, contentType: "text/csv").WithName("GetMiValue")
            .WithSummary("Epics and features of each team's ranked backlogs with WSJF, its inputs (business value, time criticality, risk reduction, job size), budget, rank, WSJF rank and PRIO-INVERSION flags; product owners see their own teams (CSV on request)");

        value.MapGet("/{source}/{key}/explain", async Task<Results<Ok<MiExplanation>, ProblemHttpResult>> (
                string source, string key, HttpContext http, IMediator mediator, CancellationToken ct) =>
                await mediator.Send(new ExplainMiValueQuery(http.User.Viewer(), source, key), ct) is { } e
                    ? TypedResults.Ok(e) : Problems.NotFound("Item not found", $"No epic or feature '{key}' of source '{source}' in a backlog you can see."))
            .ProducesProblem(StatusCodes.Status404NotFound).WithName("ExplainMiValue")
            .WithSummary("An epic's or feature's WSJF: its inputs, positions and inversions, and the descendant items whose remaining points give the job size when no job-size field is set");
        return api;
    }
}
