using Alignment.Host.Hosting;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Alignment.Host.Endpoints;

/// <summary>Sprint packs (planning, retrospective) and the absences that feed Jira capacity.</summary>
public static class SprintEndpoints
{
    public sealed record AbsenceRequest(string? Member, DateOnly? From, DateOnly? To, string? Note);

    public static RouteGroupBuilder MapSprintEndpoints(this RouteGroupBuilder api)
    {
        var teams = api.MapGroup("/teams").WithTags("Sprints").RequireAuthorization(Policies.TeamData);

        teams.MapGet("/{team}/planning", async Task<Results<Ok<PlanningPack>, ProblemHttpResult>> (
                string team, HttpContext http, IMediator mediator, CancellationToken ct) =>
                await mediator.Send(new GetPlanningQuery(http.User.Viewer(), team), ct) is { } pack ? TypedResults.Ok(pack) : Problems.TeamNotFound(team))
            .ProducesProblem(StatusCodes.Status404NotFound).WithName("GetTeamPlanning")
            .WithSummary("Next-sprint pack: available capacity (person-days), velocity P15–P85 and P50 over the last closed sprints, suggested load, unestimated top backlog items, carry-over candidates, dependencies to and from other teams");

        teams.MapGet("/{team}/retrospective", async Task<Results<Ok<RetrospectivePack>, ProblemHttpResult>> (
                string team, string? sprint, HttpContext http, IMediator mediator, CancellationToken ct) =>
            {
                var answer = await mediator.Send(new GetRetrospectiveQuery(http.User.Viewer(), team, sprint), ct);
                if (!answer.TeamVisible) return Problems.TeamNotFound(team);
                return answer.Pack is { } pack ? TypedResults.Ok(pack)
                    : Problems.NotFound("Sprint not found", sprint is null ? $"Team '{team}' has no closed sprint yet." : $"Team '{team}' has no sprint '{sprint}'.");
            })
            .ProducesProblem(StatusCodes.Status404NotFound).WithName("GetTeamRetrospective")
            .WithSummary("Sprint facts (default: the last closed sprint, or ?sprint= id or name): committed / completed / added / removed, carried-over items, scope added after the start, blockers that hit, say/do trend");

        teams.MapGet("/{team}/absences", async Task<Results<Ok<IReadOnlyList<AbsenceDto>>, ProblemHttpResult>> (
                string team, HttpContext http, IMediator mediator, CancellationToken ct) =>
                await mediator.Send(new ListAbsencesQuery(http.User.Viewer(), team), ct) is { } list ? TypedResults.Ok(list) : Problems.TeamNotFound(team))
            .ProducesProblem(StatusCodes.Status404NotFound).WithName("ListTeamAbsences").WithSummary("Registered absences of the team's members (Jira capacity)");

        teams.MapPost("/{team}/absences", async Task<Results<Created<AbsenceDto>, ProblemHttpResult, ValidationProblem>> (
                string team, AbsenceRequest body, HttpContext http, IMediator mediator, CancellationToken ct) =>
            {
                var errors = new Dictionary<string, string[]>();
                if (body.From is null) errors["from"] = ["required (yyyy-MM-dd)"];
                if (body.To is null) errors["to"] = ["required (yyyy-MM-dd)"];
                var command = new AddAbsenceCommand(http.User.Viewer(), team, body.Member ?? "", body.From ?? default, body.To ?? default, body.Note);
                if (errors.Count == 0) foreach (var (k, v) in command.Validate()) errors[k] = v;
                else if (string.IsNullOrWhiteSpace(body.Member)) errors["member"] = ["required"];
                if (errors.Count > 0) return TypedResults.ValidationProblem(errors);
                return await mediator.Send(command, ct) is { } created
                    ? TypedResults.Created($"/api/teams/{Uri.EscapeDataString(team)}/absences/{created.Id}", created)
                    : Problems.TeamNotFound(team);
            })
            .RequireAuthorization(Policies.Operations)
            .ProducesProblem(StatusCodes.Status404NotFound).WithName("AddTeamAbsence")
            .WithSummary("Registers a member's absence (from and to inclusive) and recomputes the team's capacity (pmo, admin)");

        teams.MapDelete("/{team}/absences/{id:long}", async Task<Results<NoContent, ProblemHttpResult>> (
                string team, long id, HttpContext http, IMediator mediator, CancellationToken ct) =>
                await mediator.Send(new DeleteAbsenceCommand(http.User.Viewer(), team, id), ct) switch
                {
                    null => Problems.TeamNotFound(team),
                    false => Problems.NotFound("Absence not found", $"Team '{team}' has no absence {id}."),
                    true => TypedResults.NoContent(),
                })
            .RequireAuthorization(Policies.Operations)
            .ProducesProblem(StatusCodes.Status404NotFound).WithName("DeleteTeamAbsence").WithSummary("Removes an absence and recomputes the team's capacity (pmo, admin)");
        return api;
    }
}
