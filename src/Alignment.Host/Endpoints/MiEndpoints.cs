using Alignment.Host.Hosting;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Alignment.Host.Endpoints;

/// <summary>Management information (docs/figures.md): admin, PMO and management; product owners get 403 (they use the team endpoints).</summary>
public static class MiEndpoints
{
    private const string Csv = "text/csv";

    public static RouteGroupBuilder MapMiEndpoints(this RouteGroupBuilder api)
    {
        var mi = api.MapGroup("/mi").WithTags("Management information").RequireAuthorization(Policies.Management);

        mi.MapGet("/overview", async Task<Ok<MiOverview>> (IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(new GetMiOverviewQuery(), ct)))
            .WithName("GetMiOverview")
            .WithSummary("Organisation totals: teams, active sprints, commitment vs capacity, say/do, velocity trend, open findings by rule and severity, dependencies at risk, epics on track / at risk / late, and data freshness per source (dataFreshness: stale sources and teams, as of now)");

        mi.MapGet("/teams", async Task<Results<Ok<MiTeams>, ContentHttpResult, ValidationProblem>> (
                string? format, HttpContext http, IMediator mediator, CancellationToken ct) =>
            {
                if (BadFormat(format) is { } bad) return bad;
                var teams = await mediator.Send(new GetMiTeamsQuery(), ct);
                return WantsCsv(format, http) ? CsvResult(http, "mi-teams.csv", MiCsv.Teams(teams)) : TypedResults.Ok(teams);
            })
            .Produces(StatusCodes.Status200OK, contentType: Csv).WithName("GetMiTeams")
            .WithSummary("Per team: velocity P50 and trend, say/do, capacity use, open findings, last sprints (?format=csv or Accept: text/csv for CSV)");

        mi.MapGet("/epics", async Task<Results<Ok<MiEpics>, ContentHttpResult, ValidationProblem>> (
                string? format, HttpContext http, IMediator mediator, CancellationToken ct) =>
            {
                if (BadFormat(format) is { } bad) return bad;
                var epics = await mediator.Send(new GetMiEpicsQuery(), ct);
                return WantsCsv(format, http) ? CsvResult(http, "mi-epics.csv", MiCsv.Epics(epics)) : TypedResults.Ok(epics);
            })
            .Produces(StatusCodes.Status200OK, contentType: Csv).WithName("GetMiEpics")
            .WithSummary("Per epic across teams and trackers: points done / total per team, P50 / P85 forecast, target, status (CSV on request)");

        mi.MapGet("/dependencies", async Task<Results<Ok<MiDependencies>, ContentHttpResult, ValidationProblem>> (
                string? format, HttpContext http, IMediator mediator, CancellationToken ct) =>
            {
                if (BadFormat(format) is { } bad) return bad;
                var deps = await mediator.Send(new GetMiDependenciesQuery(), ct);
                return WantsCsv(format, http) ? CsvResult(http, "mi-dependencies.csv", MiCsv.Dependencies(deps)) : TypedResults.Ok(deps);
            })
            .Produces(StatusCodes.Status200OK, contentType: Csv).WithName("GetMiDependencies")
            .WithSummary("Dependency graph: teams as nodes, open cross-team dependencies as weighted edges (From depends on To), at-risk edges marked (CSV of the edges on request)");

        MapExplain(mi);
        mi.MapMiHistoryEndpoints();
        mi.MapMiReportEndpoints();
        mi.MapIntervalEndpoints();
        api.MapValueEndpoints();
        return api;
    }

    /// <summary>The explain routes: each figure's definition, value and the rows it was computed from.</summary>
    private static void MapExplain(RouteGroupBuilder mi)
    {
        mi.MapGet("/explain", async Task<Results<Ok<MiExplanation>, ProblemHttpResult>> (string? figure, IMediator mediator, CancellationToken ct) =>
                await mediator.Send(new ExplainMiFigureQuery(null, figure ?? ""), ct) is { } e
                    ? TypedResults.Ok(e)
                    : Problems.NotFound("Unknown figure", $"figure must be one of {string.Join(", ", OrgFigures)}"))
            .ProducesProblem(StatusCodes.Status404NotFound).WithName("ExplainMiFigure")
            .WithSummary("An organisation figure of the overview: its definition, value and each team's contribution (with the team's explain link)");

        mi.MapGet("/teams/{team}/explain", async Task<Results<Ok<MiExplanation>, ProblemHttpResult>> (
                string team, string? figure, IMediator mediator, CancellationToken ct) =>
                await mediator.Send(new ExplainMiFigureQuery(team, figure ?? ""), ct) is { } e
                    ? TypedResults.Ok(e)
                    : Problems.NotFound("Unknown team or figure", $"No team '{team}', or figure is not one of {string.Join(", ", TeamFigures)}"))
            .ProducesProblem(StatusCodes.Status404NotFound).WithName("ExplainMiTeamFigure")
            .WithSummary("A team figure: its definition, value and the sprints, items, capacities or findings it was computed from");

        mi.MapGet("/epics/{source}/{key}/explain", async Task<Results<Ok<MiExplanation>, ProblemHttpResult>> (
                string source, string key, IMediator mediator, CancellationToken ct) =>
                await mediator.Send(new ExplainMiEpicQuery(source, key), ct) is { } e
                    ? TypedResults.Ok(e) : Problems.NotFound("Epic not found", $"No epic '{key}' in source '{source}'."))
            .ProducesProblem(StatusCodes.Status404NotFound).WithName("ExplainMiEpic")
            .WithSummary("The items behind an epic's roll-up: its descendant stories per team with status and points, and how its status was decided");

        mi.MapGet("/dependencies/explain", async Task<Results<Ok<MiExplanation>, ValidationProblem>> (
                string? from, string? to, IMediator mediator, CancellationToken ct) =>
            {
                if (string.IsNullOrWhiteSpace(from) || string.IsNullOrWhiteSpace(to))
                    return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["from"] = ["from and to (team ids) are required"] });
                return TypedResults.Ok(await mediator.Send(new ExplainMiDependencyQuery(from, to), ct));
            })
            .WithName("ExplainMiDependencyEdge")
            .WithSummary("The open dependencies behind one edge of the team graph (from depends on to), each with its at-risk flag and sprints");
    }

    private static readonly string[] OrgFigures =
        ["committedPoints", "capacityPoints", "commitmentVsCapacity", "capacityDays", "sayDo", "velocityTrend", "openFindings", "openDependencies", "dependenciesAtRisk", "epics", "dataFreshness"];
    private static readonly string[] TeamFigures =
        ["velocityP50", "velocityTrend", "sayDo", "committedPoints", "capacityDays", "capacityPoints", "capacityUse", "openFindings"];

    internal static ValidationProblem? BadFormat(string? format) =>
        format is null or "json" or "csv" ? null
            : TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["format"] = ["must be json or csv"] });

    internal static bool WantsCsv(string? format, HttpContext http) =>
        format == "csv" || (format is null && http.Request.Headers.Accept.Any(a => a?.Contains(Csv, StringComparison.OrdinalIgnoreCase) == true));

    internal static ContentHttpResult CsvResult(HttpContext http, string file, string csv)
    {
        http.Response.Headers.ContentDisposition = $"inline; filename=\"{file}\"";
        return TypedResults.Text(csv, "text/csv; charset=utf-8; header=present");
    }
}
