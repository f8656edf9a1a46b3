namespace Alignment.Domain.Sync;

/// <summary>What one sync run was asked to do.</summary>
public sealed record SyncRequest(string SourceId, string? TeamId = null, bool Full = false, string Trigger = "manual")
{
    /// <summary>
    /// A targeted sync (tracker webhooks, docs/webhooks.md): only these teams of the source; null = every team (or <see cref="TeamId"/>).
    /// The source-wide part still covers every team of the source, so no team's history is skipped.
    /// </summary>
    public IReadOnlySet<string>? Teams { get; init; }
    /// <summary>Per team, tracker ids of items to read again whether or not the search returns them (as quarantined items are).</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>>? ReRead { get; init; }
    /// <summary>Teams to read in full in this run (an item was deleted: a full read marks what vanished); the others incrementally.</summary>
    public IReadOnlySet<string>? FullTeams { get; init; }
}

/// <summary>How a run ended (docs/reliability.md, "Run statuses").</summary>
public enum SyncStatus { Succeeded, Failed, Skipped, Partial, Abandoned }

public sealed record TeamSyncResult(string TeamId, int ItemsRead, int ItemsChanged, int ItemsDeleted, int Sprints, bool Full)
{
    /// <summary>Succeeded, Partial (items quarantined) or Failed (its requests failed, after one more try at the end of the run).</summary>
    public SyncStatus Status { get; init; } = SyncStatus.Succeeded;
    public string? Error { get; init; }
    /// <summary>Items of this team quarantined in this run.</summary>
    public int Quarantined { get; init; }
    /// <summary>Whether <see cref="Error"/> names the request whose answer failed (not so when the answer was cached from an earlier try).</summary>
    public bool ErrorNamesRequest { get; init; }
}

public sealed record SyncRunResult(
    long RunId, string SourceId, SyncStatus Status, string? Deployment, IReadOnlyList<TeamSyncResult> Teams,
    long Requests, long Retries, long RateLimitWaits, TimeSpan Duration, string? Error)
{
    public int ItemsRead => Teams.Sum(t => t.ItemsRead);
    public int ItemsChanged => Teams.Sum(t => t.ItemsChanged);
    public int Quarantined => Teams.Sum(t => t.Quarantined);
    /// <summary>The store was brought up to date for at least some teams (succeeded or partial).</summary>
    public bool Wrote => Status is SyncStatus.Succeeded or SyncStatus.Partial;
    /// <summary>Where the run's time went, in milliseconds ("seed=… start=… prepare=… teams=… …"), for the log and the benchmark.</summary>
    public string Phases { get; init; } = "";
}

public static class SyncStatusNames
{
    public static string Name(this SyncStatus s) => s switch
    {
        SyncStatus.Succeeded => "succeeded",
        SyncStatus.Partial => "partial",
        SyncStatus.Skipped => "skipped",
        SyncStatus.Abandoned => "abandoned",
        _ => "failed",
    };
}

/// <summary>Progress of a running sync, for live displays.</summary>
public sealed record SyncProgress(string SourceId, string TeamId, string Phase, int ItemsRead, int ItemsChanged);

