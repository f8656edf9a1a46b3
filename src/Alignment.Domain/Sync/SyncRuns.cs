namespace Alignment.Domain.Sync;

/// <summary>What one sync run was asked to do.</summary>
public sealed record SyncRequest(string SourceId, string? TeamId = null, bool Full = false, string Trigger = "manual");

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

