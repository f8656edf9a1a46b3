
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
        var evidence = new SyncStaleEvidence(s.Source, s.Kind, p.IsSourceWide ? null : p.Team, p.Status, p.LastSuccess, p.LastAttempt, p.FirstAttempt,
            p.Error, p.QuarantinedItems, p.RunId, s.Cron, s.Interval?.TotalMinutes, s.Interval is { } i ? (2 * i).TotalMinutes : null,
            criticalAfter.TotalHours, p.Reason);
        return new Finding
        {
            Rule = RuleId.SyncStale, Severity = critical ? Severity.Critical : Severity.Warning, Team = p.IsSourceWide ? null : p.Team,
            Title = $"{who}: data is stale ({p.Reason})", Evidence = evidence, Action = Action, Score = critical ? 60 : 30,
            Subject = $"sync:{s.Source}:{p.Team}",
        };
    }
}
