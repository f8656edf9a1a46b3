using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Runtime.CompilerServices;
using System.Text.Json;

namespace Alignment.Jira;

/// <summary>Creates the collector of a Jira source (Cloud or Data Center, detected at run time).</summary>
public sealed class JiraCollectorFactory : ITrackerCollectorFactory
{
    public bool Supports(TrackerKind kind) => kind == TrackerKind.Jira;

    public ITrackerCollector Create(SourceOptions source, IReadOnlyList<SourceOptions> allSources, TrackerApi api) =>
        new JiraCollector(source, allSources, new JiraClient(api));
}

/// <summary>
/// Reads one Jira source for one sync run. Cloud: ids from <c>search/jql</c>, hydrated 100 at a time
/// with <c>issue/bulkfetch</c> (up to 4 in flight), history from <c>changelog/bulkfetch</c>. Data Center:
/// <c>/rest/api/2/search</c> with the changelog embedded. Remote links only for open items whose history
/// shows remote-link activity. Batches of about 1000 items keep memory bounded.
/// </summary>
public sealed class JiraCollector(SourceOptions source, IReadOnlyList<SourceOptions> allSources, JiraClient client) : ITrackerCollector, ISourceStateCollector
{
    public const int BatchSize = 1000;
    private const int HydrateParallelism = 4;
    private const string SprintFieldType = "com.pyxis.greenhopper.jira:gh-sprint";
    private const string EpicLinkFieldType = "com.pyxis.greenhopper.jira:gh-epic-link";
    private const string RankFieldType = "com.pyxis.greenhopper.jira:gh-lexo-rank";
    private const string StoryPointsFieldType = "com.pyxis.greenhopper.jira:jsw-story-points";

    private readonly ConcurrentDictionary<long, JiraFieldIds> _boardFields = new();
    private readonly ConcurrentDictionary<string, StatusCategory> _statusCategories = new();
    private readonly SemaphoreSlim _prepareGate = new(1, 1);
    private readonly ConcurrentDictionary<string, Lazy<Task<List<JiraVersion>>>> _versions = new(StringComparer.OrdinalIgnoreCase);
    private JiraDeployment? _deployment;
    private JiraFieldIds _sourceFields = new(null, null, null, null);
    private volatile bool _statusesLoaded;

    public string SourceId => source.Id;
    public JiraDeployment? Deployment => _deployment;
    public JiraFieldIds SourceFields => _sourceFields;

    public async Task<string> PrepareAsync(CancellationToken ct)
    {
        await _prepareGate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (_deployment is null)
            {
                var deployment = await client.GetDeploymentAsync(ct).ConfigureAwait(false);
                var o = source.Jira;
                var list = o is { SprintField: not null, StoryPointsField: not null, RankField: not null }
                           && (deployment == JiraDeployment.Cloud || o.EpicLinkField is not null) && !JiraValueFields.NeedFieldList(ConfiguredValues)
                    ? null
                    : await client.GetFieldsAsync(deployment, ct).ConfigureAwait(false);
                var discovered = list is null ? new JiraFieldIds(null, null, null, null) : Discover(list);
                Apply(deployment, discovered with { Values = JiraValueFields.Resolve(ConfiguredValues, list) });
            }
            var f = _sourceFields;
            return $"Jira {(_deployment == JiraDeployment.Cloud ? "Cloud" : "Data Center")}; sprint {f.Sprint ?? "none"}, " +
                   $"story points {f.StoryPoints ?? "none"} (unless the board says otherwise), epic link {f.EpicLink ?? "none"}, rank {f.Rank ?? "none"}" +
                   (ConfiguredValues.Any ? $"; value fields {string.Join(", ", JiraValueFields.Describe(ConfiguredValues, f.Values))}" : "");
        }
        finally { _prepareGate.Release(); }
    }

    private JiraFieldIds _discovered = new(null, null, null, null);

    /// <summary>The value fields as configured (ids or names).</summary>
    private ValueFieldIds ConfiguredValues => source.Fields.Resolve(TrackerKind.Jira);

    /// <summary>Configured overrides win over what was discovered.</summary>
    private void Apply(JiraDeployment deployment, JiraFieldIds discovered)
    {
        var o = source.Jira;
        _discovered = discovered;
        _sourceFields = new JiraFieldIds(
            o.StoryPointsField ?? discovered.StoryPoints,
            o.SprintField ?? discovered.Sprint,
            o.EpicLinkField ?? discovered.EpicLink,
            o.RankField ?? discovered.Rank) { Values = discovered.Values };
        _deployment = deployment;
    }

    /// <summary>The kept state; <see cref="Values"/> (the resolved value fields) with the configuration they were resolved from.</summary>
    private sealed record SourceStateDto(JiraDeployment Deployment, string? StoryPoints, string? Sprint, string? EpicLink, string? Rank)
    {
        public ValueFieldIds? Values { get; init; }
        public ValueFieldIds? ValuesFrom { get; init; }
    }

    /// <summary>The deployment and the discovered field ids, kept by the runner for the next incremental run.</summary>
    public string? SourceState => _deployment is { } d
        ? JsonSerializer.Serialize(new SourceStateDto(d, _discovered.StoryPoints, _discovered.Sprint, _discovered.EpicLink, _discovered.Rank)
            { Values = _sourceFields.Values, ValuesFrom = ConfiguredValues })
        : null;

    public void RestoreSourceState(string state)
    {
        try
        {
            // Value fields resolved from another configuration (or before they existed) are resolved again: no restore, a fresh discovery.
            if (JsonSerializer.Deserialize<SourceStateDto>(state) is { Sprint: not null } s
                && (s.ValuesFrom ?? ValueFieldIds.None) == ConfiguredValues)
                Apply(s.Deployment, new JiraFieldIds(s.StoryPoints, s.Sprint, s.EpicLink, s.Rank) { Values = s.Values ?? ValueFieldIds.None });
        }
        catch (JsonException) { /* unreadable: discover again */ }
    }

    /// <summary>Sprint, epic link and rank by <c>schema.custom</c>; story points by schema, then by name (never "Original story points").</summary>
    public static JiraFieldIds Discover(IReadOnlyList<JiraField> fields)
    {
        string? ByType(string type) => fields.FirstOrDefault(f => string.Equals(f.Schema?.Custom, type, StringComparison.OrdinalIgnoreCase))?.Id;
        var storyPoints = ByType(StoryPointsFieldType)
            ?? fields.FirstOrDefault(f => f.Schema?.Type == "number" && f.Name is { } n
                   && (n.Equals("Story Points", StringComparison.OrdinalIgnoreCase) || n.Equals("Story point estimate", StringComparison.OrdinalIgnoreCase)))?.Id
            ?? fields.FirstOrDefault(f => f.Name is { } n
                   && (n.Equals("Story Points", StringComparison.OrdinalIgnoreCase) || n.Equals("Story point estimate", StringComparison.OrdinalIgnoreCase)))?.Id;
        return new JiraFieldIds(storyPoints, ByType(SprintFieldType), ByType(EpicLinkFieldType), ByType(RankFieldType));
    }

    private async Task<JiraDeployment> EnsurePreparedAsync(CancellationToken ct)
    {
        if (_deployment is null) await PrepareAsync(ct).ConfigureAwait(false);
        return _deployment!.Value;
    }

    /// <summary>The fields of one board: story points from its configuration unless overridden; read once per run.</summary>
    private async Task<JiraFieldIds> FieldsForBoardAsync(long board, CancellationToken ct)
    {
        var f = _sourceFields;
        if (source.Jira.StoryPointsField is not null || board <= 0) return f;
        if (_boardFields.TryGetValue(board, out var cached)) return cached;
        var config = await client.GetBoardConfigurationAsync(board, ct).ConfigureAwait(false);
        var estimate = config.Estimation?.Field?.FieldId;
        var rank = f.Rank ?? (config.Ranking?.RankCustomFieldId is { } r ? $"customfield_{r.ToString(CultureInfo.InvariantCulture)}" : null);
        return _boardFields[board] = f with { StoryPoints = string.IsNullOrEmpty(estimate) ? f.StoryPoints : estimate, Rank = rank };
    }

    public async Task<TeamSprints> CollectSprintsAsync(ScopeRequest scope, CancellationToken ct)
    {
        var board = scope.Team.Jira?.Board ?? 0;
        if (board <= 0) return new TeamSprints([], []);
        var sprints = new List<Sprint>();
        var seen = new HashSet<string>();
        await foreach (var s in client.GetBoardSprintsAsync(board, scope.Full ? "future,active,closed" : "active,future", ct).ConfigureAwait(false))
            if (seen.Add(s.Id.ToString(CultureInfo.InvariantCulture))) sprints.Add(JiraConverter.ToSprint(s, source.Id));
        if (!scope.Full)
        {
            // A sprint the store knows as active that left the listing has closed: read it once.
            foreach (var known in scope.KnownActiveSprints.Where(k => !seen.Contains(k)))
            {
                if (!long.TryParse(known, NumberStyles.Integer, CultureInfo.InvariantCulture, out var id)) continue;
                try { sprints.Add(JiraConverter.ToSprint(await client.GetSprintAsync(id, ct).ConfigureAwait(false), source.Id)); }
                catch (TrackerRequestException e) when (e.Status == HttpStatusCode.NotFound) { }
            }
        }
        return new TeamSprints(sprints, []) { Intervals = await IntervalsAsync(scope.Team, ct).ConfigureAwait(false) };
    }

    /// <summary>
    /// With <c>Sources:N:Intervals:From = FixVersions</c>: the team's project's versions that have a start and a release date, as planning
    /// intervals (docs/figures.md, "Intervals from the trackers"); the project's versions are read once per run. Null otherwise.
    /// </summary>
    private async Task<IReadOnlyList<TrackerInterval>?> IntervalsAsync(TeamOptions team, CancellationToken ct)
    {
        if (source.Intervals.From != IntervalOrigin.FixVersions || team.Jira?.Project is not { Length: > 0 } project) return null;
        var versions = await _versions.GetOrAdd(project, p => new Lazy<Task<List<JiraVersion>>>(() => client.GetProjectVersionsAsync(p, ct))).Value
            .ConfigureAwait(false);
        return JiraConverter.ToIntervals(versions);
    }

    public async IAsyncEnumerable<SyncBatch> CollectItemsAsync(ScopeRequest scope, [EnumeratorCancellation] CancellationToken ct)
    {
        var deployment = await EnsurePreparedAsync(ct).ConfigureAwait(false);
        var jira = scope.Team.Jira ?? throw new InvalidOperationException($"team '{scope.Team.Id}' has no Jira scope (Teams[].Jira)");
        if (string.IsNullOrWhiteSpace(jira.Project)) throw new InvalidOperationException($"team '{scope.Team.Id}' has no Jira project (Teams[].Jira.Project)");
        RestoreBoardFields(scope, jira.Board);
        var fields = await FieldsForBoardAsync(jira.Board, ct).ConfigureAwait(false);
        var jql = BuildJql(jira, scope.Full ? null : WatermarkMillis(scope.Watermark));
        var ctx = new JiraConversionContext
        {
            Source = source, AllSources = allSources, TeamId = scope.Team.Id, Fields = fields, StatusCategories = _statusCategories,
        };

        var batches = deployment == JiraDeployment.Cloud
            ? CloudBatchesAsync(scope, jql, fields, ctx, deployment, ct)
            : DataCenterBatchesAsync(scope, jira, jql, fields, ctx, deployment, ct);
        await foreach (var batch in batches.ConfigureAwait(false)) yield return batch;

        yield return new SyncBatch
        {
            WatermarkAfter = WatermarkAfter(scope),
            ScopeStateAfter = JsonSerializer.Serialize(new BoardState(fields.StoryPoints, fields.Rank)),
        };
    }

    /// <summary>Cloud: the enhanced search pages ids only; issues are then read in batches by id (with their changelogs).</summary>
    private async IAsyncEnumerable<SyncBatch> CloudBatchesAsync(ScopeRequest scope, string jql, JiraFieldIds fields, JiraConversionContext ctx,
        JiraDeployment deployment, [EnumeratorCancellation] CancellationToken ct)
    {
        var issueFields = fields.IssueFields(includeEpicLink: false);
        var seen = new HashSet<string>();
        var pending = new List<string>(BatchSize);
        await foreach (var page in client.SearchIdsAsync(jql, ct).ConfigureAwait(false))
        {
            foreach (var id in page)
            {
                if (!seen.Add(id)) continue;
                pending.Add(id);
                if (pending.Count < BatchSize) continue;
                yield return await CloudBatchAsync(pending, issueFields, ctx, deployment, ct).ConfigureAwait(false);
                pending = new List<string>(BatchSize);
            }
        }
        // Quarantined items are read again every run until they convert, changed or not.
        foreach (var id in scope.Quarantined)
        {
            if (!seen.Add(id)) continue;
            pending.Add(id);
            if (pending.Count < BatchSize) continue;
            yield return await CloudBatchAsync(pending, issueFields, ctx, deployment, ct).ConfigureAwait(false);
            pending = new List<string>(BatchSize);
        }
        if (pending.Count > 0) yield return await CloudBatchAsync(pending, issueFields, ctx, deployment, ct).ConfigureAwait(false);
    }

    /// <summary>Data Center: the search returns whole issues page by page; quarantined ids are asked for by id, 100 per query.</summary>
    private async IAsyncEnumerable<SyncBatch> DataCenterBatchesAsync(ScopeRequest scope, JiraTeamOptions jira, string jql, JiraFieldIds fields,
        JiraConversionContext ctx, JiraDeployment deployment, [EnumeratorCancellation] CancellationToken ct)
    {
        var issueFields = fields.IssueFields(includeEpicLink: true);
        var seen = new HashSet<string>();
        var buffer = new List<JiraIssue>(BatchSize);
        var failures = new List<ItemFailure>();
        var queries = new List<string> { jql };
        // Quarantined items are read again every run until they convert (by id, 100 per query).
        foreach (var chunk in scope.Quarantined.Where(q => long.TryParse(q, NumberStyles.Integer, CultureInfo.InvariantCulture, out _)).Chunk(JiraClient.DcSearchPageSize))
            queries.Add(BuildJql(jira, null).Replace(" ORDER BY id ASC", $" AND id in ({string.Join(',', chunk)}) ORDER BY id ASC", StringComparison.Ordinal));
        foreach (var query in queries)
        {
            await foreach (var page in client.SearchDcAsync(query, issueFields, ct).ConfigureAwait(false))
            {
                buffer.AddRange(page.Issues.Where(i => seen.Add(i.Id)));
                failures.AddRange(page.Failures.Where(f => seen.Add(f.ExternalId)));
                if (buffer.Count + failures.Count < BatchSize) continue;
                yield return await ConvertAsync(buffer, new Dictionary<string, List<JiraHistory>>(), failures, ctx, deployment, ct).ConfigureAwait(false);
                buffer = new List<JiraIssue>(BatchSize);
                failures = [];
            }
        }
        if (buffer.Count + failures.Count > 0)
            yield return await ConvertAsync(buffer, new Dictionary<string, List<JiraHistory>>(), failures, ctx, deployment, ct).ConfigureAwait(false);
    }

    /// <summary>The board's estimation and rank fields as discovered on an earlier run; a full run asks the board again.</summary>
    private sealed record BoardState(string? StoryPoints, string? Rank);

    private void RestoreBoardFields(ScopeRequest scope, long board)
    {
        if (scope.Full || string.IsNullOrEmpty(scope.ScopeState) || board <= 0 || source.Jira.StoryPointsField is not null) return;
        try
        {
            if (JsonSerializer.Deserialize<BoardState>(scope.ScopeState) is { StoryPoints: not null } b)
                _boardFields.TryAdd(board, _sourceFields with { StoryPoints = b.StoryPoints, Rank = _sourceFields.Rank ?? b.Rank });
        }
        catch (JsonException) { /* unreadable state: discover again */ }
    }

    public async IAsyncEnumerable<SyncBatch> CollectSourceWideAsync(SourceScopeRequest request, [EnumeratorCancellation] CancellationToken ct)
    {
        await Task.CompletedTask.ConfigureAwait(false);
        yield break;
    }

    /// <summary><c>project = "PAY" [AND (team jql)] [AND updated &gt;= epochMs] ORDER BY id ASC</c>: epoch millis are time-zone free.</summary>
    public static string BuildJql(JiraTeamOptions team, long? updatedSinceMillis)
    {
        var jql = $"project = \"{team.Project.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)}\"";
        if (!string.IsNullOrWhiteSpace(team.Jql)) jql += $" AND ({team.Jql.Trim()})";
        if (updatedSinceMillis is { } ms) jql += string.Create(CultureInfo.InvariantCulture, $" AND updated >= {ms}");
        return jql + " ORDER BY id ASC";
    }

    /// <summary>The stored watermark (epoch ms; an ISO timestamp is accepted too), or null to read everything.</summary>
    public static long? WatermarkMillis(string? watermark)
    {
        if (string.IsNullOrWhiteSpace(watermark)) return null;
        if (long.TryParse(watermark, NumberStyles.Integer, CultureInfo.InvariantCulture, out var ms)) return ms;
        return DateTimeOffset.TryParse(watermark, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) ? at.ToUnixTimeMilliseconds() : null;
    }

    public string WatermarkAfter(ScopeRequest scope) =>
        (scope.RunStartedAt - TimeSpan.FromMinutes(Math.Max(0, source.Sync.OverlapMinutes))).ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);

    private async Task<SyncBatch> CloudBatchAsync(List<string> ids, IReadOnlyList<string> issueFields, JiraConversionContext ctx, JiraDeployment deployment, CancellationToken ct)
    {
        var chunks = ids.Chunk(JiraClient.BulkFetchSize).ToList();
        var hydrated = await ForEachLimitedAsync(chunks, (ch, c) => client.BulkFetchAsync(ch, issueFields, c), ct).ConfigureAwait(false);
        var issues = hydrated.SelectMany(x => x.Issues).ToList();
        var failures = hydrated.SelectMany(x => x.Failures).ToList();
        var histories = issues.Count == 0
            ? new Dictionary<string, List<JiraHistory>>()
            : await client.BulkFetchChangelogsAsync(issues.ConvertAll(i => i.Id), ct).ConfigureAwait(false);
        return await ConvertAsync(issues, histories, failures, ctx, deployment, ct).ConfigureAwait(false);
    }

    /// <summary>Issue type id → untranslated name, read once per run and only when there are issues to type.</summary>
    private async Task<IReadOnlyDictionary<string, string>> IssueTypeNamesAsync(JiraDeployment deployment, CancellationToken ct)
    {
        if (_issueTypeNames is { } known) return known;
        await _prepareGate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (_issueTypeNames is { } again) return again;
            var map = new Dictionary<string, string>(StringComparer.Ordinal);
            try
            {
                foreach (var t in await client.GetIssueTypesAsync(deployment, ct).ConfigureAwait(false))
                    if (t.Id is { Length: > 0 } id && !string.IsNullOrWhiteSpace(t.UntranslatedName)) map[id] = t.UntranslatedName;
            }
            catch (TrackerRequestException e) when (e.Status is HttpStatusCode.NotFound or HttpStatusCode.Forbidden) { /* display names then */ }
            return _issueTypeNames = map;
        }
        finally { _prepareGate.Release(); }
    }

    private IReadOnlyDictionary<string, string>? _issueTypeNames;

    private async Task<SyncBatch> ConvertAsync(List<JiraIssue> issues, IReadOnlyDictionary<string, List<JiraHistory>> histories,
        List<ItemFailure> readFailures, JiraConversionContext ctx, JiraDeployment deployment, CancellationToken ct)
    {
        if (issues.Count > 0) ctx = ctx with { IssueTypeNames = await IssueTypeNamesAsync(deployment, ct).ConfigureAwait(false) };
        List<JiraHistory>? HistoryOf(JiraIssue i) => histories.TryGetValue(i.Id, out var h) ? h : i.Changelog?.Histories;

        var map = (IDictionary<string, StatusCategory>)_statusCategories;
        JiraConverter.AddStatusCategories(map, issues.Select(i => i.Fields.Status));
        if (!_statusesLoaded && issues.Exists(i => HistoryOf(i)?.Exists(h => h.Items.Exists(it =>
                string.Equals(it.Field, "status", StringComparison.OrdinalIgnoreCase)
                && ((it.From is { } f && !map.ContainsKey(f)) || (it.To is { } t && !map.ContainsKey(t))))) == true))
        {
            JiraConverter.AddStatusCategories(map, await client.GetStatusesAsync(deployment, ct).ConfigureAwait(false));
            _statusesLoaded = true;
        }

        var needRemote = issues.Where(i => JiraConverter.MapCategory(i.Fields.Status?.StatusCategory?.Key) != StatusCategory.Done
                                           && JiraConverter.HasRemoteLinkHistory(HistoryOf(i))).ToList();
        var remote = new Dictionary<string, List<JiraRemoteLink>>();
        var fetched = await ForEachLimitedAsync(needRemote, async (i, c) =>
        {
            try { return (i.Id, await client.GetRemoteLinksAsync(deployment, i.Id, c).ConfigureAwait(false)); }
            catch (TrackerRequestException e) when (e.Status == HttpStatusCode.NotFound) { return (i.Id, new List<JiraRemoteLink>()); }
        }, ct).ConfigureAwait(false);
        foreach (var (id, links) in fetched) remote[id] = links;

        var batch = JiraConverter.ToBatch(issues, histories, remote, ctx);
        return readFailures.Count == 0 ? batch : batch with { Quarantined = [.. readFailures, .. batch.Quarantined] };
    }

    /// <summary>Runs the calls with at most 4 in flight (the source budget bounds them further), keeping input order.</summary>
    private static async Task<TResult[]> ForEachLimitedAsync<T, TResult>(IReadOnlyList<T> inputs, Func<T, CancellationToken, Task<TResult>> call, CancellationToken ct)
    {
        var results = new TResult[inputs.Count];
        if (inputs.Count == 0) return results;
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        using var gate = new SemaphoreSlim(HydrateParallelism);
        var tasks = inputs.Select(async (input, i) =>
        {
            await gate.WaitAsync(cts.Token).ConfigureAwait(false);
            try { results[i] = await call(input, cts.Token).ConfigureAwait(false); }
            catch { await cts.CancelAsync().ConfigureAwait(false); throw; }
            finally { gate.Release(); }
        }).ToList();
        try { await Task.WhenAll(tasks).ConfigureAwait(false); }
        catch
        {
            // Surface the first real failure rather than the cancellations it caused.
            var first = tasks.Where(t => t.IsFaulted).Select(t => t.Exception!.InnerException!).FirstOrDefault();
            if (first is not null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(first);
            throw;
        }
        return results;
    }
}
