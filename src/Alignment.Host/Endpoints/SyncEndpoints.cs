using Alignment.Host.Hosting;
using Alignment.Host.Jobs;
using Hangfire;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace Alignment.Host.Endpoints;

public sealed record SyncQueued(string Source, string JobId, bool Full, string Dashboard);

public static class SyncEndpoints
{
    public static RouteGroupBuilder MapSyncEndpoints(this RouteGroupBuilder api)
    {
        api.MapPost("/sync/{source}", Results<Accepted<SyncQueued>, ProblemHttpResult> (
                string source, bool? full, IOptionsMonitor<AlignmentOptions> options, IBackgroundJobClient jobs) =>
            {
                if (options.CurrentValue.Source(source) is null)
                    return Problems.NotFound("Source not found", $"No source '{source}' is configured.");
                var isFull = full ?? false;
                var id = jobs.Enqueue<SyncJob>(j => j.RunAsync(source, isFull, "api", CancellationToken.None));
                return TypedResults.Accepted($"/hangfire/jobs/details/{id}", new SyncQueued(source, id, isFull, $"/hangfire/jobs/details/{id}"));
            })
            .WithTags("Sync").RequireAuthorization(Policies.Operations)
            .ProducesProblem(StatusCodes.Status404NotFound).WithName("QueueSync")
            .WithSummary("Queue a sync of one source now (incremental, or full with ?full=true); admin and PMO only");
        return api;
    }
}
