using Alignment.Host.Hosting;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Alignment.Host.Endpoints;

/// <summary>
/// The finance MI (docs/figures.md, "Cost"): admin, PMO and management see everything; a product owner sees the budget status of their
/// teams' epics (no team rates, sprint costs or cost per point). The explain routes are for admin, PMO and management.
/// </summary>
public static class FinanceEndpoints
{
    public static RouteGroupBuilder MapFinanceEndpoints(this RouteGroupBuilder api)
    {
        api.MapGet("/mi/finance", async Task<Results<Ok<MiFinance>, ContentHttpResult, ValidationProblem>> (
                string? format, HttpContext http, IMediator mediator, CancellationToken ct) =>
            {
                if (MiEndpoints.BadFormat(format) is { } bad) return bad;
                var doc = await mediator.Send(new GetMiFinanceQuery(http.User.Viewer()), ct);
                return MiEndpoints.WantsCsv(format, http) ? MiEndpoints.CsvResult(http, "mi-finance.csv", MiFinanceCsv.Write(doc)) : TypedResults.Ok(doc);
            })
            .RequireAuthorization(new Microsoft.AspNetCore.Authorization.AuthorizeAttribute { Roles = string.Join(",", Viewer.Admin, Viewer.Pmo, Viewer.Management, Viewer.ProductOwner) })
            .Produces(StatusCodes.Status200OK, contentType: "text/csv").WithTags("Management information").WithName("GetMiFinance")
            .WithSummary("Spend per team and per epic per month and quarter, each team's sprint costs and cost-per-point trend, and each epic's forecast cost at completion (P50/P85) against its budget, in the configured currency (CSV on request). Product owners get their teams' epics' budget status only.");

        var explain = api.MapGroup("/mi/finance").WithTags("Management information").RequireAuthorization(Policies.Management);
        explain.MapGet("/teams/{team}/explain", async Task<Results<Ok<MiExplanation>, ProblemHttpResult>> (string team, IMediator mediator, CancellationToken ct) =>
                await mediator.Send(new ExplainMiFinanceTeamQuery(team), ct) is { } e
                    ? TypedResults.Ok(e) : Problems.NotFound("Team not found", $"No team '{team}' in the finance MI."))
            .ProducesProblem(StatusCodes.Status404NotFound).WithName("ExplainMiFinanceTeam")
            .WithSummary("A team's closed sprints as priced: rate in force, capacity, sprint cost, completed points and cost per point");
        explain.MapGet("/epics/{source}/{key}/explain", async Task<Results<Ok<MiExplanation>, ProblemHttpResult>> (
                string source, string key, IMediator mediator, CancellationToken ct) =>
                await mediator.Send(new ExplainMiFinanceEpicQuery(source, key), ct) is { } e
                    ? TypedResults.Ok(e) : Problems.NotFound("Epic not found", $"No epic '{key}' of source '{source}' in the finance MI."))
            .ProducesProblem(StatusCodes.Status404NotFound).WithName("ExplainMiFinanceEpic")
            .WithSummary("An epic's cost: each sprint and item behind its cost to date (points × that sprint's cost per point) and each team's remaining cost to P50 / P85");
        return api;
    }
}
