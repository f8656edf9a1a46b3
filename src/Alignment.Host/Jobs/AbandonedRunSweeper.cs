using Microsoft.Extensions.Options;
using Npgsql;

namespace Alignment.Host.Jobs;

/// <summary>
/// At host start, closes as <c>abandoned</c> every sync run still marked running whose source's lock is free:
/// its process died (docs/reliability.md, "Run statuses"). Runs in the background; a database that is not
/// reachable yet only delays it to the next run of that source, which does the same.
/// </summary>
public sealed class AbandonedRunSweeper(NpgsqlDataSource dataSource, IOptions<AlignmentOptions> options, ILogger<AbandonedRunSweeper> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken ct)
    {
        try
        {
            var closed = await SyncRunLog.CloseAbandonedAtStartAsync(dataSource, options.Value.Sources.Select(s => s.Id), ct);
            if (closed > 0) logger.LogWarning("Closed {Count} sync run(s) left running by a process that stopped", closed);
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException)
        {
            logger.LogWarning("Could not close abandoned sync runs at start ({Error}); the next run of each source will", e.Message);
        }
    }
}
