using Alignment.Host.Hosting;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Alignment.Host.Endpoints;

/// <summary>Data freshness per source and team (docs/reliability.md): admin and PMO, who can act on it (credentials, quarantined items, a sync now).</summary>
public static class SourceEndpoints
{
    public static RouteGroupBuilder MapSourceEndpoints(this RouteGroupBuilder api)
    {
        api.MapGet("/sources", async Task<Ok<SourcesDto>> (IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(new ListSourcesQuery(), ct)))
            .WithTags("Sync").RequireAuthorization(Policies.Operations)
            .ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden)
            .WithName("ListSources")
            .WithSummary("Per configured source and team: last successful sync, last attempt, status (succeeded, partial, failed, skipped, abandoned, running, never), last error, quarantined items and whether the data is stale (never synced, older than 2 × Sync:Cron, or last run partial/failed); admin and PMO only");
        return api;
    }
}
