using System.Text.Json;
using Alignment.Host.Hosting;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Alignment.Host.Endpoints;

public static class FindingEndpoints
{
    public static readonly IReadOnlyList<string> Statuses = DomainNames.Names<FindingStatus>();

    public static RouteGroupBuilder MapFindingEndpoints(this RouteGroupBuilder api)
    {
        var findings = api.MapGroup("/findings").WithTags("Findings").RequireAuthorization(Policies.TeamData);

        findings.MapGet("/", async Task<Results<Ok<Page<FindingDto>>, ValidationProblem>> (
                string? team, string? rule, string? severity, string? status, int? limit, string? cursor,
                HttpContext http, IMediator mediator, CancellationToken ct) =>
            {
                var errors = new Dictionary<string, string[]>();
                if (rule is not null && !DomainNames.RuleNames.Contains(rule)) errors["rule"] = [$"must be one of {string.Join(", ", DomainNames.RuleNames)}"];
                if (severity is not null && !DomainNames.SeverityNames.Contains(severity)) errors["severity"] = [$"must be one of {string.Join(", ", DomainNames.SeverityNames)}"];
                if (status is not null && !Statuses.Contains(status)) errors["status"] = [$"must be one of {string.Join(", ", Statuses)}"];
                if (limit is < 1 or > 1000) errors["limit"] = ["must be between 1 and 1000"];
                if (cursor is not null && !FindingCursor.IsValid(cursor)) errors["cursor"] = ["is not a cursor this API returned"];
                if (errors.Count > 0) return TypedResults.ValidationProblem(errors);
                return TypedResults.Ok(await mediator.Send(new ListFindingsQuery(http.User.Viewer(), team, rule, severity, status, limit ?? 100, cursor), ct));
            })
            .WithName("ListFindings")
            .WithSummary("Findings with evidence and links back to the tracker, newest first; filter by team, rule, severity and status (default: all but resolved); paged with limit and cursor");

        findings.MapPost("/{id:long}/acknowledge", (long id, HttpContext http, IMediator mediator, CancellationToken ct) =>
                Change(id, FindingAction.Acknowledge, http, mediator, ct))
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status403Forbidden).WithName("AcknowledgeFinding")
            .WithSummary("Acknowledge a finding (admin, PMO, or the product owner of its owning team, not of a related team); it stays listed until resolved");

        findings.MapPost("/{id:long}/suppress", (long id, HttpContext http, IMediator mediator, CancellationToken ct) =>
                Change(id, FindingAction.Suppress, http, mediator, ct))
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status403Forbidden).WithName("SuppressFinding")
            .WithSummary("Suppress a finding (admin, PMO); it reopens only when it gets worse (its severity rises)");

        api.MapGet("/epics/{source}/{key}/forecast", async Task<Results<Ok<JsonElement>, ProblemHttpResult>> (
                string source, string key, HttpContext http, IMediator mediator, CancellationToken ct) =>
                await mediator.Send(new GetEpicForecastQuery(http.User.Viewer(), source, key), ct) is { } f
                    ? TypedResults.Ok(f)
                    : Problems.NotFound("Forecast not found", $"No analysed epic '{key}' in source '{source}', or your key does not give access to it."))
            .WithTags("Findings").RequireAuthorization(Policies.TeamData).ProducesProblem(StatusCodes.Status404NotFound).WithName("GetEpicForecast")
            .WithSummary("An epic's Monte Carlo forecast from the last analysis: status (forecast, done, noForecast with reasons), P50/P85 dates, target, per-team parts and upstream blockers");

        api.MapGet("/teams/{team}/hygiene", async Task<Results<Ok<JsonElement>, ProblemHttpResult>> (
                string team, HttpContext http, IMediator mediator, CancellationToken ct) =>
                await mediator.Send(new GetTeamHygieneQuery(http.User.Viewer(), team), ct) is { } h
                    ? TypedResults.Ok(h)
                    : Problems.NotFound("Hygiene not found", $"No analysed team '{team}', or your key does not give access to it."))
            .WithTags("Teams").RequireAuthorization(Policies.TeamData).ProducesProblem(StatusCodes.Status404NotFound).WithName("GetTeamHygiene")
            .WithSummary("A team's data-hygiene scorecard from the last analysis (the HYGIENE rule's figures)");
        return api;
    }

    private static async Task<Results<Ok<FindingDto>, ProblemHttpResult>> Change(long id, FindingAction action, HttpContext http, IMediator mediator, CancellationToken ct)
    {
        var r = await mediator.Send(new ChangeFindingStatusCommand(http.User.Viewer(), id, action), ct);
        return r.Outcome switch
        {
            FindingActionOutcome.Done => TypedResults.Ok(r.Finding!),
            FindingActionOutcome.Forbidden => TypedResults.Problem(title: "Not allowed", detail: action == FindingAction.Suppress
                ? "Only admin and PMO may suppress findings."
                : "Only admin, PMO and the product owner of the finding's own team may acknowledge it (not the product owner of a related team).", statusCode: StatusCodes.Status403Forbidden),
            _ => Problems.NotFound("Finding not found", $"No finding {id}, or your key does not give access to it."),
        };
    }
}
