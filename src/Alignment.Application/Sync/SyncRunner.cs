using System.Diagnostics;
using System.Text.Json;
using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Alignment.Application.Sync;

/// <summary>
/// Runs one sync of one source (docs/reliability.md): takes the source's advisory lock (one sync per source
/// across every host), closes runs whose process died as <c>abandoned</c>, records the run in
/// <c>ops.sync_runs</c>, and reads each team scope through the source's collector, writing batch by batch
/// (reading the next batch while the previous one is written). A watermark advances only in the transaction
/// of the last batch it covers. The smallest unit fails: an item is quarantined, a team that fails is tried
/// once more at the end of the run and then given up for this run (<c>partial</c>), and the whole run is bounded
/// by <c>Sync:RunTimeoutMinutes</c>.
/// </summary>
public sealed class SyncRunner(
    NpgsqlDataSource dataSource,
    WorkItemWriter writer,
    StoreSeeder seeder,
    TrackerApiFactory apis,
    IEnumerable<ITrackerCollectorFactory> factories,
    IOptionsMonitor<AlignmentOptions> options,
    TimeProvider clock,
    ILogger<SyncRunner> logger)
{
    private NpgsqlDataSource Db => dataSource;
    private WorkItemWriter Writer => writer;
    private ILogger Log => logger;
    private IOptionsMonitor<AlignmentOptions> Options => options;

    public async Task<SyncRunResult> RunAsync(SyncRequest request, IProgress<SyncProgress>? progress = null, CancellationToken ct = default)
    {
        var config = options.CurrentValue;
        var source = config.Source(request.SourceId)
            ?? throw new ArgumentException($"source '{request.SourceId}' is not configured (Alignment:Sources)");
        var teams = config.TeamsOf(source.Id).Where(t => (request.TeamId is null || t.Id == request.TeamId)
            && (request.Teams is null || request.Teams.Contains(t.Id))).ToList();
        if (request.TeamId is not null && teams.Count == 0)
            throw new ArgumentException($"team '{request.TeamId}' is not configured on source '{source.Id}' (Alignment:Teams)");
        var factory = factories.FirstOrDefault(f => f.Supports(source.Kind))
            ?? throw new InvalidOperationException($"no collector for {source.Kind} sources");

        using var activity = AlignmentTelemetry.StartSync(request);
        var phases = new Phases();
        await seeder.SeedAsync(config, ct);
        phases.Mark("seed");
        var started = clock.GetUtcNow();

        await using var sourceLock = await Database.TryLockAsync(dataSource, "sync:" + source.Id, ct);
        if (sourceLock is null)
        {
            var skipped = await SyncRunLog.StartAsync(dataSource, source.Id, request, started, "skipped", ct);
            logger.LogInformation("Sync of {Source} skipped: another sync of this source is running", source.Id);
            var skippedRun = new SyncRunResult(skipped, source.Id, SyncStatus.Skipped, null, [], 0, 0, 0, TimeSpan.Zero,
                $"another sync of source '{source.Id}' is running");
            AlignmentTelemetry.RecordRun(skippedRun, activity);
            return skippedRun;
        }

        // Holding the lock, any run of this source still marked running belongs to a process that died.
        var runId = await SyncRunLog.StartAsync(dataSource, source.Id, request, started, "running", ct);
        await SyncRunLog.CloseAbandonedAsync(dataSource, source.Id, runId, ct);
        phases.Mark("start");
        using var scopeLog = logger.BeginScope(new Dictionary<string, object> { ["SyncRunId"] = runId, ["SourceId"] = source.Id });
        var run = new Run(this, request, source, teams, runId, started, apis.Create(source), activity, phases);
        return await run.ExecuteAsync(factory.Create(source, config.Sources, run.Api), config, progress, ct);
    }

    /// <summary>One run of one source, holding its lock: the teams, their results and watermarks, and how it ends.</summary>
    private sealed class Run(SyncRunner owner, SyncRequest request, SourceOptions source, List<TeamOptions> teams, long runId,
        DateTimeOffset started, TrackerApi api, Activity? activity, Phases phases)
    {
        private readonly BudgetSnapshot _before = api.Budget.Snapshot();
        private readonly Stopwatch _stopwatch = Stopwatch.StartNew();
        private readonly ConcurrentDictionary<string, TeamSyncResult> _results = new();
        private readonly ConcurrentDictionary<string, string?> _watermarksBefore = new(), _watermarksAfter = new();
        private string? _deployment;
        private RequestTrail? _trail;
        public TrackerApi Api => api;
        private NpgsqlDataSource Db => owner.Db;
        private ILogger Log => owner.Log;

        public async Task<SyncRunResult> ExecuteAsync(ITrackerCollector collector, AlignmentOptions config, IProgress<SyncProgress>? progress, CancellationToken ct)
        {
            var runTimeout = TimeSpan.FromMinutes(Math.Max(1, source.Sync.RunTimeoutMinutes));
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
            deadline.CancelAfter(runTimeout);
            try
            {
                return await CollectAsync(collector, progress, deadline.Token, ct);
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested && !ct.IsCancellationRequested)
            {
                var message = $"timed out after {runTimeout.TotalMinutes:0.#} min (Sync:RunTimeoutMinutes); the teams not finished keep their watermarks";
                return await FailAsync(Result(SyncStatus.Failed, message));
            }
            catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                return await FailAsync(Result(SyncStatus.Failed, TeamScopeRunner.Describe(e, source.Id, _trail)));
            }
            catch (OperationCanceledException)
            {
                await SyncRunLog.FinishAsync(Db, Result(SyncStatus.Failed, "cancelled"), _watermarksBefore, _watermarksAfter, CancellationToken.None);
                throw;
            }
        }

        private async Task<SyncRunResult> CollectAsync(ITrackerCollector collector, IProgress<SyncProgress>? progress, CancellationToken runCt, CancellationToken ct)
        {
            _trail = RequestTrail.Begin();
            if (!request.Full && collector is ISourceStateCollector restorable && await SourceRow.StateAsync(Db, source.Id, runCt) is { } state)
                restorable.RestoreSourceState(state);
            _deployment = await collector.PrepareAsync(runCt);
            await SourceRow.SetDeploymentAsync(Db, source.Id, _deployment, runCt);
            phases.Mark("prepare");

            var scopes = new TeamScopeRunner(Db, owner.Writer, collector, source.Id, request.Full, started, progress, Log)
            {
                ReRead = request.ReRead, FullTeams = request.FullTeams,
            };
            foreach (var (teamId, stored) in await TeamScopeState.LoadAllAsync(Db, source.Id, teams.Select(t => t.Id).ToList(), runCt))
                scopes.Preloaded[teamId] = stored;
            phases.Mark("preload");
            await RunTeamsAsync(scopes, teams, runCt);
            phases.Mark("teams");
            var failedTeams = teams.Where(t => _results[t.Id].Status == SyncStatus.Failed).ToList();
            if (failedTeams.Count > 0)
            {
                Log.LogWarning("Trying {Count} failed team(s) of {Source} once more: {Teams}", failedTeams.Count, source.Id, string.Join(", ", failedTeams.Select(t => t.Id)));
                await RunTeamsAsync(scopes, failedTeams, runCt);
            }
            await scopes.WriteWatermarksAsync(runCt);
            phases.Mark("watermarks");
            if (teams.Any(t => _results[t.Id].Status != SyncStatus.Failed)
                && await scopes.RunSourceWideAsync(SourceWideTeams(), await SourceRow.WatermarkAsync(Db, source.Id, runCt), _watermarksBefore, _watermarksAfter, runCt) is { } wide)
                _results[""] = wide;
            phases.Mark("sourceWide");
            if (collector is ISourceStateCollector { SourceState: { } newState })
                await SourceRow.SetStateAsync(Db, source.Id, newState, runCt);

            var (status, error) = Outcome(_results.Values.ToList());
            var final = Result(status, error);
            await SyncRunLog.FinishAsync(Db, final, _watermarksBefore, _watermarksAfter, ct);
            phases.Mark("finish");
            final = final with { Phases = phases + " " + scopes.Phases };
            Log.LogDebug("Sync of {Source}: {Phases}", source.Id, final.Phases);
            AlignmentTelemetry.RecordRun(final, activity);
            if (status != SyncStatus.Succeeded) Log.LogWarning("Sync of {Source} ended {Status}: {Error}", source.Id, status.Name(), error);
            return final;
        }

        /// <summary>
        /// A sync of some teams (<c>alignment sync --team</c>, a targeted sync after webhooks) reads the source-wide streams for every team of
        /// the source: they advance one watermark per project, so reading them for some teams only would skip the others' history for good.
        /// </summary>
        private List<TeamOptions> SourceWideTeams() =>
            request.Teams is null && request.TeamId is null ? teams : owner.Options.CurrentValue.TeamsOf(source.Id).ToList();

        /// <summary>
        /// Team scopes run side by side (tracker latency and database writes overlap), bounded by the source's concurrency.
        /// A team that fails is tried once more after the others (by the caller), then given up for this run.
        /// </summary>
        private Task RunTeamsAsync(TeamScopeRunner scopes, IEnumerable<TeamOptions> which, CancellationToken ct) =>
            Parallel.ForEachAsync(which, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, source.Sync.MaxConcurrency), CancellationToken = ct },
                async (team, c) =>
                {
                    var result = await scopes.RunAsync(team, _watermarksBefore, _watermarksAfter, c);
                    // A second try that fails on an answer the collector kept from the first try has no request of
                    // its own to name; the first try's error names it.
                    if (result is { Status: SyncStatus.Failed, ErrorNamesRequest: false } && _results.TryGetValue(team.Id, out var first) && first.ErrorNamesRequest)
                        result = result with { Error = first.Error, ErrorNamesRequest = true };
                    _results[team.Id] = result;
                });

        private SyncRunResult Result(SyncStatus status, string? error)
        {
            var used = api.Budget.Snapshot() - _before;
            var teamResults = teams.Where(t => _results.ContainsKey(t.Id)).Select(t => _results[t.Id])
                .Concat(_results.TryGetValue("", out var wide) ? [wide] : []).ToList();
            return new SyncRunResult(runId, source.Id, status, _deployment, teamResults, used.Requests, used.Retries, used.RateLimitWaits, _stopwatch.Elapsed, error);
        }

        private async Task<SyncRunResult> FailAsync(SyncRunResult failed)
        {
            try
            {
                await SyncRunLog.FinishAsync(Db, failed, _watermarksBefore, _watermarksAfter, CancellationToken.None);
                await SyncRunLog.RecordTeamsFailedAsync(Db, source.Id, runId, teams.Where(t => !_results.ContainsKey(t.Id)).Select(t => t.Id),
                    failed.Error ?? "failed", CancellationToken.None);
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException)
            {
                // The database went away mid-run: nothing of the unfinished batch was committed and the watermarks did not
                // move. The run's row stays 'running' until the next run of this source closes it as abandoned (our lock
                // died with the connection). The caller still gets the failure, not this second exception.
                Log.LogWarning("Sync run {RunId} of {Source} could not be recorded as failed ({Error}); the next run closes it as abandoned",
                    runId, source.Id, TeamScopeRunner.Describe(e));
            }
            AlignmentTelemetry.RecordRun(failed, activity);
            Log.LogError("Sync of {Source} failed: {Error}", source.Id, failed.Error);
            return failed;
        }
    }

    /// <summary>Wall time between marks, for <see cref="SyncRunResult.Phases"/>.</summary>
    private sealed class Phases
    {
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private readonly List<string> _marks = [];
        public void Mark(string name)
        {
            _marks.Add(FormattableString.Invariant($"{name}={_clock.Elapsed.TotalMilliseconds:0}"));
            _clock.Restart();
        }
        public override string ToString() => string.Join(" ", _marks);
    }

    /// <summary>failed when every team failed; partial when some failed or items were quarantined; else succeeded.</summary>
    private static (SyncStatus, string?) Outcome(IReadOnlyList<TeamSyncResult> teams)
    {
        var failed = teams.Where(t => t.Status == SyncStatus.Failed).ToList();
        var quarantined = teams.Sum(t => t.Quarantined);
        var parts = failed.Select(t => $"{(t.TeamId.Length == 0 ? "source-wide read" : "team " + t.TeamId)} failed: {t.Error}").ToList();
        if (quarantined > 0)
            parts.Add($"{quarantined} item(s) quarantined ({string.Join(", ", teams.Where(t => t.Quarantined > 0).Select(t => $"{(t.TeamId.Length == 0 ? "source-wide" : t.TeamId)}: {t.Quarantined}"))})");
        var error = parts.Count == 0 ? null : string.Join("; ", parts);
        var teamParts = teams.Where(t => t.TeamId.Length > 0).ToList();
        if (teamParts.Count > 0 && teamParts.All(t => t.Status == SyncStatus.Failed)) return (SyncStatus.Failed, error);
        return (parts.Count > 0 ? SyncStatus.Partial : SyncStatus.Succeeded, error);
    }
}
