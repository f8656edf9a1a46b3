
namespace Alignment.Trackers.Collecting;

/// <summary>
/// What one tracker collector delivers for one batch. The orchestrator writes a batch in one
/// transaction; a batch that fails leaves the store as it was.
/// </summary>
public sealed record SyncBatch
{
    public IReadOnlyList<WorkItem> Items { get; init; } = [];
    public IReadOnlyList<WorkItemLink> Links { get; init; } = [];
    public IReadOnlyList<ItemEvent> Events { get; init; } = [];
    public IReadOnlyList<RawPayload> Raw { get; init; } = [];
    /// <summary>
    /// Items whose links this batch reports completely: their previously stored links that are
    /// not in <see cref="Links"/> are removed. Defaults to every item of the batch.
    /// </summary>
    public IReadOnlyList<string>? LinkReporters { get; init; }
    /// <summary>
    /// Reporters whose remote links were not read in this batch (Jira reads them only for open items with
    /// remote-link history): their stored remote links stay as they are.
    /// </summary>
    public IReadOnlyList<string> RemoteLinksNotRead { get; init; } = [];
    /// <summary>Items of this batch that could not be read or converted: kept in the quarantine, written in the batch's transaction.</summary>
    public IReadOnlyList<ItemFailure> Quarantined { get; init; } = [];
    /// <summary>Set on the last batch of a scope only: the watermark to store once this batch commits.</summary>
    public string? WatermarkAfter { get; init; }
    /// <summary>With <see cref="WatermarkAfter"/>: what the collector discovered about the scope (opaque), handed back on the next incremental run.</summary>
    public string? ScopeStateAfter { get; init; }
}

/// <summary>Sprints of one team as the tracker reports them now, plus capacities where the tracker keeps them.</summary>
public sealed record TeamSprints(IReadOnlyList<Sprint> Sprints, IReadOnlyList<TeamCapacity> Capacities)
{
    /// <summary>
    /// The planning intervals the tracker records for the team, complete (they replace the stored ones), when the source reads them from
    /// the tracker (<c>Sources:N:Intervals</c>); null otherwise (and left out of the sprints hash, so it stays what it was).
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<TrackerInterval>? Intervals { get; init; }
}

/// <summary>One team scope to read: the team, its stored watermark, and whether to read everything.</summary>
public sealed record ScopeRequest(TeamOptions Team, string? Watermark, bool Full, DateTimeOffset RunStartedAt)
{
    /// <summary>External ids of the team's sprints the store knows as active, so a sprint that closed can be re-read.</summary>
    public IReadOnlyList<string> KnownActiveSprints { get; init; } = [];
    /// <summary>What the collector discovered about this scope on an earlier run (null on full runs: re-discover).</summary>
    public string? ScopeState { get; init; }
    /// <summary>External ids of this team's quarantined items: read again on every run until they convert.</summary>
    public IReadOnlyList<string> Quarantined { get; init; } = [];
}

/// <summary>
/// Reads one source (collect), turning wire payloads into domain records (convert) through a pure
/// converter. One instance per source and sync run.
/// </summary>
public interface ITrackerCollector
{
    string SourceId { get; }
    /// <summary>Detects the deployment (e.g. Jira Cloud vs Data Center) and discovers fields. Returns a short description for the run report.</summary>
    Task<string> PrepareAsync(CancellationToken ct);
    Task<TeamSprints> CollectSprintsAsync(ScopeRequest scope, CancellationToken ct);
    /// <summary>Pages through the items changed since the watermark (all items when Full), yielding batches.</summary>
    IAsyncEnumerable<SyncBatch> CollectItemsAsync(ScopeRequest scope, CancellationToken ct);
    /// <summary>
    /// Source-wide streams read once per run after the team scopes (e.g. Azure DevOps reporting revisions
    /// per project). The last batch carries the new source watermark; yield nothing when there is none.
    /// </summary>
    IAsyncEnumerable<SyncBatch> CollectSourceWideAsync(SourceScopeRequest request, CancellationToken ct);
}

/// <summary>The source-level watermark (e.g. an Azure DevOps continuation token) and the teams synced in this run.</summary>
public sealed record SourceScopeRequest(IReadOnlyList<TeamOptions> Teams, string? Watermark, bool Full, DateTimeOffset RunStartedAt);

/// <summary>
/// A collector whose source-level discoveries (e.g. Jira's deployment and field ids) can be kept between runs:
/// the runner restores them before an incremental run's <see cref="ITrackerCollector.PrepareAsync"/> and stores them after a success.
/// </summary>
public interface ISourceStateCollector
{
    string? SourceState { get; }
    void RestoreSourceState(string state);
}

/// <summary>Creates the collector of a configured source.</summary>
public interface ITrackerCollectorFactory
{
    bool Supports(TrackerKind kind);
    ITrackerCollector Create(SourceOptions source, IReadOnlyList<SourceOptions> allSources, TrackerApi api);
}

/// <summary>Turns tracker URLs into (source, key) references, for links across trackers.</summary>
public static class CrossTrackerLinks
{
    /// <summary>A Jira browse URL (…/browse/KEY-1) of a configured Jira source, or an Azure DevOps work item URL (…/_workitems/edit/123 or …/_apis/wit/workItems/123) of a configured Azure DevOps source.</summary>
    public static (string SourceId, string Key)? Resolve(string url, IReadOnlyList<SourceOptions> sources)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri)) return null;
        foreach (var s in sources)
        {
            var root = s.BaseUri.AbsoluteUri;
            var u = uri.AbsoluteUri;
            if (!u.StartsWith(root, StringComparison.OrdinalIgnoreCase)) continue;
            var rest = u[root.Length..].Split('?', '#')[0].TrimEnd('/');
            var parts = rest.Split('/', StringSplitOptions.RemoveEmptyEntries);
            if (s.Kind == TrackerKind.Jira)
            {
                var i = Array.FindIndex(parts, p => p.Equals("browse", StringComparison.OrdinalIgnoreCase));
                if (i >= 0 && i + 1 < parts.Length) return (s.Id, Uri.UnescapeDataString(parts[i + 1]).ToUpperInvariant());
            }
            else
            {
                for (var i = 0; i + 1 < parts.Length; i++)
                {
                    if ((parts[i].Equals("edit", StringComparison.OrdinalIgnoreCase) && i > 0 && parts[i - 1].Equals("_workitems", StringComparison.OrdinalIgnoreCase))
                        || parts[i].Equals("workItems", StringComparison.OrdinalIgnoreCase))
                    {
                        if (long.TryParse(parts[i + 1], out var id)) return (s.Id, id.ToString(System.Globalization.CultureInfo.InvariantCulture));
                    }
                }
            }
        }
        return null;
    }

    /// <summary>Direction words in a remote link's relationship or a hyperlink's comment, seen from the item that carries the link.</summary>
    public static LinkDirection DirectionFromWords(string? words)
    {
        if (string.IsNullOrWhiteSpace(words)) return LinkDirection.None;
        var w = words.Trim().ToLowerInvariant();
        if (w.Contains("is blocked by") || w.Contains("blocked by") || w.StartsWith("depends on") || w.Contains(" depends on")) return LinkDirection.DependsOn;
        if (w.Contains("is depended on by") || w.StartsWith("blocks") || w.Contains(" blocks")) return LinkDirection.Blocks;
        return LinkDirection.None;
    }
}

/// <summary>Seen from the item carrying the link: it blocks the other, depends on the other, or neither.</summary>
public enum LinkDirection { None, Blocks, DependsOn }
