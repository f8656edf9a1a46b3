using Alignment.Host.Hosting;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Alignment.Host.Endpoints;

public static class WorkItemEndpoints
{
    public static RouteGroupBuilder MapWorkItemEndpoints(this RouteGroupBuilder api)
    {
        api.MapGet("/work-items/{source}/{key}", async Task<Results<Ok<WorkItemDetailDto>, ProblemHttpResult>> (
                string source, string key, HttpContext http, IMediator mediator, CancellationToken ct) =>
                await mediator.Send(new GetWorkItemQuery(http.User.Viewer(), source, key), ct) is { } item
                    ? TypedResults.Ok(item)
                    : Problems.NotFound("Work item not found", $"No work item '{key}' in source '{source}', or your key does not give access to it."))
            .WithTags("Work items").RequireAuthorization(Policies.TeamData)
            .ProducesProblem(StatusCodes.Status404NotFound).WithName("GetWorkItem")
            .WithSummary("One work item with its links from either end: dependencies (blocks / dependsOn), relates, duplicates, clones, also across trackers");
        return api;
    }
}
