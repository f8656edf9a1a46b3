
namespace Alignment.Domain.Analysis;

/// <summary>
/// SYNC-STALE (docs/rules.md, §10): one finding per configured source and team whose data is stale by <see cref="SyncFreshness"/> (never synced
/// successfully, last success older than 2 × the source's cron, or last run partial/failed). Warning; critical when the last success is older
/// than <c>Analysis:SyncStaleCriticalHours</c> (default 24), or there never was one after that long of attempts. When the part is fresh again,
/// the rule stops firing and the lifecycle resolves the finding.
/// </summary>
public static class SyncStaleAnalyzer
{
    public const string Action =
        "Check the tracker credentials (the source's Auth token) and that the tracker answers, then the quarantined items listed at " +
        "GET /api/sources (key, JSON path, reason); POST /api/sync/{source} syncs again.";

    public static IEnumerable<Finding> Analyze(SnapshotIndex x)
    {
        if (x.Snapshot.Sync is not { } sync) yield break;
        var criticalAfter = TimeSpan.FromHours(x.Options.SyncStaleCriticalHours > 0 ? x.Options.SyncStaleCriticalHours : 24);
        foreach (var s in SyncFreshness.Assess(sync.Sources, sync.State, x.Now))
            foreach (var p in s.Parts.Where(p => p.Stale))
                yield return Finding(x, s, p, criticalAfter);
    }

    /// <summary>Critical when the last success is older than <paramref name="criticalAfter"/>, or none came after that long of attempts.</summary>
    public static bool IsCritical(PartFreshness p, DateTimeOffset now, TimeSpan criticalAfter) =>
        p.LastSuccess is { } success ? now - success > criticalAfter
        : p.FirstAttempt is { } first && now - first > criticalAfter;

    private static Finding Finding(SnapshotIndex x, SourceFreshness s, PartFreshness p, TimeSpan criticalAfter)
    {
        var critical = IsCritical(p, x.Now, criticalAfter);
        var who = p.IsSourceWide ? $"Source '{s.Source}' (source-wide part)" : $"{x.TeamName(p.Team)} ({s.Source})";
        var evidence = new Dictionary<string, object?>
        {
            ["source"] = s.Source, ["kind"] = s.Kind, ["team"] = p.IsSourceWide ? null : p.Team,
            ["status"] = p.Status, ["lastSuccess"] = p.LastSuccess, ["lastAttempt"] = p.LastAttempt, ["firstAttempt"] = p.FirstAttempt,
            ["error"] = p.Error, ["quarantinedItems"] = p.QuarantinedItems, ["lastRunId"] = p.RunId,
            ["cron"] = s.Cron, ["intervalMinutes"] = s.Interval?.TotalMinutes, ["staleAfterMinutes"] = s.Interval is { } i ? (2 * i).TotalMinutes : null,
            ["criticalAfterHours"] = criticalAfter.TotalHours, ["reason"] = p.Reason,
            ["details"] = "/api/sources", ["definition"] = SyncFreshness.Definition,
        };
        return new Finding(Rules.SyncStale, critical ? Severity.Critical : Severity.Warning, p.IsSourceWide ? null : p.Team, [], [],
            $"{who}: data is stale ({p.Reason})", evidence, Action, critical ? 60 : 30, $"sync:{s.Source}:{p.Team}");
    }
}
