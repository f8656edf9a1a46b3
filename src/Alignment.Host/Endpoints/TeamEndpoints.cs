using Alignment.Host.Hosting;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Alignment.Host.Endpoints;

public static class TeamEndpoints
{
    public static readonly IReadOnlyList<string> Types = DomainNames.Names<WorkItemType>();
    public static readonly IReadOnlyList<string> StatusCategories = DomainNames.Names<StatusCategory>();

    public static RouteGroupBuilder MapTeamEndpoints(this RouteGroupBuilder api)
    {
        var teams = api.MapGroup("/teams").WithTags("Teams").RequireAuthorization(Policies.TeamData);

        teams.MapGet("/", async Task<Ok<IReadOnlyList<TeamDto>>> (HttpContext http, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(new ListTeamsQuery(http.User.Viewer()), ct)))
            .WithName("ListTeams").WithSummary("Teams with their source and product owner");

        teams.MapGet("/{team}/work-items", async Task<Results<Ok<Page<WorkItemDto>>, ProblemHttpResult, ValidationProblem>> (
                string team, string? type, string? statusCategory, string? sprint, int? limit, string? cursor,
                HttpContext http, IMediator mediator, CancellationToken ct) =>
            {
                var errors = new Dictionary<string, string[]>();
                if (type is not null && !Types.Contains(type)) errors["type"] = [$"must be one of {string.Join(", ", Types)}"];
                if (statusCategory is not null && !StatusCategories.Contains(statusCategory))
                    errors["statusCategory"] = [$"must be one of {string.Join(", ", StatusCategories)}"];
                if (limit is < 1 or > 1000) errors["limit"] = ["must be between 1 and 1000"];
                if (cursor is not null && !Cursor.IsValid(cursor)) errors["cursor"] = ["is not a cursor this API returned"];
                if (errors.Count > 0) return TypedResults.ValidationProblem(errors);
                var page = await mediator.Send(new ListWorkItemsQuery(http.User.Viewer(), team, type, statusCategory, sprint, limit ?? 200, cursor), ct);
                return page is null ? Problems.TeamNotFound(team) : TypedResults.Ok(page);
            })
            .ProducesProblem(StatusCodes.Status404NotFound).WithName("ListTeamWorkItems")
            .WithSummary("A team's work items in backlog order, filtered by type, status category and sprint (id or name); paged with limit and cursor");

        teams.MapGet("/{team}/sprints", async Task<Results<Ok<IReadOnlyList<SprintDto>>, ProblemHttpResult>> (
                string team, HttpContext http, IMediator mediator, CancellationToken ct) =>
                await mediator.Send(new ListSprintsQuery(http.User.Viewer(), team), ct) is { } sprints
                    ? TypedResults.Ok(sprints) : Problems.TeamNotFound(team))
            .ProducesProblem(StatusCodes.Status404NotFound).WithName("ListTeamSprints").WithSummary("A team's sprints, newest first: name, state, dates, items and capacity");
        return api;
    }
}

internal static class Cursor
{
    public static bool IsValid(string cursor)
    {
        try { _ = CursorCodec.Decode(cursor); return true; }
        catch (FormatException) { return false; }
    }
}
