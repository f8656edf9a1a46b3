using System.Collections.Concurrent;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;

namespace Alignment.AzureDevOps;

/// <summary>Creates <see cref="AzureDevOpsCollector"/>s (one per source and run).</summary>
public sealed class AzureDevOpsCollectorFactory : ITrackerCollectorFactory
{
    public bool Supports(TrackerKind kind) => kind == TrackerKind.AzureDevOps;

    public ITrackerCollector Create(SourceOptions source, IReadOnlyList<SourceOptions> allSources, TrackerApi api) =>
        new AzureDevOpsCollector(source, allSources, new AzureDevOpsClient(api, source.AzureDevOps.ApiVersion));
}

/// <summary>
/// Reads one Azure DevOps organisation / collection for one run: ids from WIQL (split by date window on
/// VS402337), hydrated 200 at a time (up to 4 calls in flight), team iterations and capacities, and the
/// reporting revisions stream per project with its continuation token as the source watermark.
/// Team settings, area paths, backlog configuration and iterations are read at most once per run, and only when needed.
/// </summary>
public sealed class AzureDevOpsCollector(SourceOptions source, IReadOnlyList<SourceOptions> allSources, AzureDevOpsClient client,
    int itemsPerBatch = 1000, int maxInFlight = 4) : ITrackerCollector
{
    /// <summary>Start of a full read's window.</summary>
    public static readonly DateTimeOffset Epoch = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static readonly string[] StandardEstimateFields =
        ["Microsoft.VSTS.Scheduling.StoryPoints", "Microsoft.VSTS.Scheduling.Effort", "Microsoft.VSTS.Scheduling.Size"];

    private static readonly string[] RevisionFields =
        ["System.Id", "System.Rev", "System.ChangedDate", "System.WorkItemType", "System.State", "System.IterationPath", "System.AreaPath"];

    private readonly ConcurrentDictionary<string, Lazy<Task<object>>> _cache = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<int, AdoRevisionState> _lastRevision = [];
    private readonly ConcurrentDictionary<string, DateTimeOffset?> _capacitiesReadAt = new();
    private readonly ConcurrentDictionary<string, bool> _changedProjects = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, bool> _scannedTeams = new(StringComparer.Ordinal);

    public string SourceId => source.Id;

    public Task<string> PrepareAsync(CancellationToken ct)
    {
        var host = source.BaseUri.Host;
        var services = host.Equals("dev.azure.com", StringComparison.OrdinalIgnoreCase)
                       || host.EndsWith(".visualstudio.com", StringComparison.OrdinalIgnoreCase);
        return Task.FromResult($"{(services ? "Azure DevOps Services" : "Azure DevOps Server")} (api-version {client.ApiVersion})");
    }

    // ---------------------------------------------------------------- sprints

    public async Task<TeamSprints> CollectSprintsAsync(ScopeRequest scope, CancellationToken ct)
    {
        var (project, team) = Names(scope.Team);
        var iterations = await IterationsAsync(project, team, ct).ConfigureAwait(false);
        var sprints = iterations.Select(i => AzureDevOpsConverter.ConvertIteration(i, source.Id)).ToList();

        // Capacities: every dated iteration on a full (or first) run; otherwise current and future ones, plus
        // those the store knew as active (they may have just closed), at most every CapacityRefreshHours;
        // in between only an iteration that has just started is read, so a quiet incremental run stays cheap.
        var everything = scope.Full || scope.Watermark is null;
        var knownActive = scope.KnownActiveSprints.ToHashSet(StringComparer.OrdinalIgnoreCase);
        var readAt = RestoreAreas(scope)?.CapacitiesReadAt;
        var fresh = !everything && readAt is { } at && scope.RunStartedAt - at < TimeSpan.FromHours(Math.Max(0, source.AzureDevOps.CapacityRefreshHours));
        var targets = iterations.Where(i => i.Attributes?.StartDate is not null && i.Attributes.FinishDate is not null)
            .Where(i => everything
                        || (fresh ? AzureDevOpsConverter.TimeFrame(i.Attributes!.TimeFrame) == "current" && !knownActive.Contains(i.Id)
                                  : AzureDevOpsConverter.TimeFrame(i.Attributes!.TimeFrame) is "current" or "future" || knownActive.Contains(i.Id)))
            .ToList();
        _capacitiesReadAt[scope.Team.Id] = fresh ? readAt : scope.RunStartedAt;

        var capacities = await ForEachAsync(targets, async it =>
        {
            var cap = await client.GetCapacitiesAsync(project, team, it.Id, ct).ConfigureAwait(false);
            if (cap.Members.Count == 0) return (IReadOnlyList<TeamCapacity>)[];
            var settings = await TeamSettingsAsync(project, team, ct).ConfigureAwait(false);
            var daysOff = await client.GetTeamDaysOffAsync(project, team, it.Id, ct).ConfigureAwait(false);
            return AzureDevOpsConverter.ConvertCapacities(scope.Team.Id, it, cap, daysOff, settings.WorkingDays);
        }, ct).ConfigureAwait(false);
        return new TeamSprints(sprints, capacities.SelectMany(c => c).ToList())
        {
            // The iteration node above the sprints is the planning interval (docs/figures.md, "Intervals from the trackers").
            Intervals = source.Intervals.From == IntervalOrigin.Iterations
                ? IntervalCatalogue.FromIterationPaths(sprints.Select(s => (s.ExternalId, s.Path, s.StartAt, s.EndAt)))
                : null,
        };
    }

    // ---------------------------------------------------------------- items

    public async IAsyncEnumerable<SyncBatch> CollectItemsAsync(ScopeRequest scope, [EnumeratorCancellation] CancellationToken ct)
    {
        var (project, team) = Names(scope.Team);
        var watermarkAfter = scope.RunStartedAt.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture);
        var from = Epoch;
        if (!scope.Full && !string.IsNullOrEmpty(scope.Watermark)
            && DateTimeOffset.TryParse(scope.Watermark, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var wm))
            from = wm.AddMinutes(-Math.Max(0, source.Sync.OverlapMinutes));
        var to = scope.RunStartedAt.ToUniversalTime();

        var previous = RestoreAreas(scope);
        var (field, areas) = await AreasAsync(project, team, ct).ConfigureAwait(false);
        var areaState = JsonSerializer.Serialize(new AreaState(field, areas.Select(a => new AreaStateValue(a.Path, a.IncludeChildren)).ToList(),
            _capacitiesReadAt.TryGetValue(scope.Team.Id, out var capacitiesAt) ? capacitiesAt : previous?.CapacitiesReadAt));
        var ids = areas.Count == 0 || from >= to ? [] : await QueryWindowAsync(project, team, field, areas, from, to, ct).ConfigureAwait(false);
        // Quarantined items are read again every run until they convert, changed or not.
        if (scope.Quarantined.Count > 0)
        {
            var known = ids.ToHashSet();
            ids = [.. ids, .. scope.Quarantined.Select(q => int.TryParse(q, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : 0)
                .Where(n => n > 0 && known.Add(n))];
        }
        _scannedTeams[scope.Team.Id] = true;
        if (ids.Count == 0)
        {
            yield return new SyncBatch { WatermarkAfter = watermarkAfter, ScopeStateAfter = areaState };
            yield break;
        }
        _changedProjects[project] = true;

        var context = await TeamContextAsync(scope.Team, ct).ConfigureAwait(false);
        for (var offset = 0; offset < ids.Count; offset += itemsPerBatch)
        {
            var slice = ids.Skip(offset).Take(itemsPerBatch).ToList();
            var chunks = slice.Chunk(AzureDevOpsClient.MaxBatchIds).ToList();
            var hydrated = await ForEachAsync(chunks, c => client.GetWorkItemsAsync(project, c, ct), ct).ConfigureAwait(false);
            var read = hydrated.SelectMany(h => h.Items).ToList();
            var failures = hydrated.SelectMany(h => h.Failures).ToList();
            await EnsureStatesAsync(context, read.Select(i => AzureDevOpsConverter.Str(i.Fields, "System.WorkItemType")), ct).ConfigureAwait(false);

            var (items, links, raw) = Convert(read, context, project, failures);

            var last = offset + itemsPerBatch >= ids.Count;
            yield return new SyncBatch
            {
                Items = items,
                Links = AzureDevOpsConverter.DistinctLinks(links),
                Raw = raw,
                Quarantined = failures,
                WatermarkAfter = last ? watermarkAfter : null,
                ScopeStateAfter = last ? areaState : null,
            };
        }
    }

    /// <summary>Converts one batch; a work item that cannot be converted is quarantined (added to <paramref name="failures"/>), the rest written.</summary>
    private (List<WorkItem> Items, List<WorkItemLink> Links, List<RawPayload> Raw) Convert(
        IReadOnlyList<AdoWorkItem> read, AzureDevOpsTeamContext context, string project, List<ItemFailure> failures)
    {
        var items = new List<WorkItem>(read.Count);
        var links = new List<WorkItemLink>();
        var raw = new List<RawPayload>(read.Count);
        foreach (var wi in read)
        {
            try
            {
                var valueProblems = new List<ValueFieldReader.Problem>();
                var item = AzureDevOpsConverter.ConvertItem(wi, context, source, valueProblems);
                var itemLinks = AzureDevOpsConverter.ConvertLinks(wi, source, allSources).ToList();
                StoreLimits.Check(item, itemLinks);
                var payload = AzureDevOpsClient.RawJson(wi);
                items.Add(item);
                failures.AddRange(ValueFieldReader.Failures(valueProblems, item.ExternalId, item.Key, $"POST {project}/_apis/wit/workitemsbatch", payload));
                links.AddRange(itemLinks);
                raw.Add(new RawPayload(source.Id, item.ExternalId, payload));
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                var id = wi.Id.ToString(CultureInfo.InvariantCulture);
                failures.Add(ItemConversionException.Failure(e, id, id, $"POST {project}/_apis/wit/workitemsbatch", AzureDevOpsClient.RawJson(wi)));
            }
        }
        return (items, links, raw);
    }

    /// <summary>The WIQL of one team and window (half-open: from ≤ ChangedDate &lt; to).</summary>
    public static string Wiql(string project, string teamField, IReadOnlyList<AdoArea> areas, DateTimeOffset from, DateTimeOffset to)
    {
        var clauses = areas.Select(a => $"[{teamField}] {(a.IncludeChildren ? "UNDER" : "=")} {Literal(a.Path)}").ToList();
        var area = clauses.Count == 1 ? clauses[0] : "(" + string.Join(" OR ", clauses) + ")";
        return new StringBuilder("SELECT [System.Id] FROM WorkItems WHERE [System.TeamProject] = ").Append(Literal(project))
            .Append(" AND ").Append(area)
            .Append(" AND [System.ChangedDate] >= ").Append(Literal(Instant(from)))
            .Append(" AND [System.ChangedDate] < ").Append(Literal(Instant(to)))
            .Append(" ORDER BY [System.Id]").ToString();
    }

    private static string Literal(string s) => "'" + s.Replace("'", "''", StringComparison.Ordinal) + "'";

    private static string Instant(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private async Task<List<int>> QueryWindowAsync(string project, string team, string field, IReadOnlyList<AdoArea> areas,
        DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        var answer = await client.QueryIdsAsync(project, team, Wiql(project, field, areas, from, to), ct).ConfigureAwait(false);
        if (!answer.TooMany) return [.. answer.Ids];
        var span = to - from;
        if (span <= TimeSpan.FromSeconds(1))
            throw new TrackerRequestException(source.Id, $"WIQL {project}/{team} {Instant(from)}..{Instant(to)}", System.Net.HttpStatusCode.BadRequest,
                "VS402337: more than 20,000 items changed within one second; the window cannot be split further");
        var mid = from + TimeSpan.FromMilliseconds(Math.Floor(span.TotalMilliseconds / 2));
        var first = await QueryWindowAsync(project, team, field, areas, from, mid, ct).ConfigureAwait(false);
        var second = await QueryWindowAsync(project, team, field, areas, mid, to, ct).ConfigureAwait(false);
        var seen = first.ToHashSet();
        first.AddRange(second.Where(seen.Add));
        return first;
    }

    // ---------------------------------------------------------------- revisions (source-wide)

    public async IAsyncEnumerable<SyncBatch> CollectSourceWideAsync(SourceScopeRequest request, [EnumeratorCancellation] CancellationToken ct)
    {
        var teams = request.Teams.Where(t => t.AzureDevOps is not null && (t.Source == source.Id || string.IsNullOrEmpty(t.Source))).ToList();
        var projects = teams.GroupBy(t => t.AzureDevOps!.Project, StringComparer.OrdinalIgnoreCase).ToList();
        if (projects.Count == 0) yield break;

        var tokens = request.Full ? new Dictionary<string, string>() : ParseTokens(request.Watermark);
        SyncBatch? pending = null;
        foreach (var project in projects)
        {
            var fields = RevisionFields.Concat(EstimateFieldsFor(project)).ToList();
            var token = tokens.GetValueOrDefault(project.Key);
            var fromStart = string.IsNullOrEmpty(token);
            // No synced team of the project had a changed item in this run: no new revisions can concern them yet,
            // and the token stays where it is, so anything that happens meanwhile is read next time.
            if (!request.Full && !fromStart && !_changedProjects.ContainsKey(project.Key) && project.All(t => _scannedTeams.ContainsKey(t.Id))) continue;
            List<AzureDevOpsTeamContext>? contexts = null;
            Dictionary<string, string>? sprintByPath = null;
            while (true)
            {
                var page = await client.GetRevisionsPageAsync(project.Key, fields, token, ct).ConfigureAwait(false);
                var events = new List<ItemEvent>();
                if (page.Values.Count > 0)
                {
                    if (contexts is null)
                    {
                        contexts = [];
                        foreach (var t in project) contexts.Add(await TeamContextAsync(t, ct).ConfigureAwait(false));
                        sprintByPath = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
                        foreach (var it in contexts.SelectMany(c => c.Iterations).Where(i => !string.IsNullOrEmpty(i.Path)))
                            sprintByPath.TryAdd(it.Path!, it.Id.ToLowerInvariant());
                    }
                    foreach (var rev in page.Values)
                    {
                        var area = AzureDevOpsConverter.Str(rev.Fields, "System.AreaPath");
                        var team = contexts.FirstOrDefault(c => c.Areas.Any(a => a.Contains(area)));
                        if (team is null) continue;
                        await EnsureStatesAsync(team, [AzureDevOpsConverter.Str(rev.Fields, "System.WorkItemType")], ct).ConfigureAwait(false);
                        events.AddRange(AzureDevOpsConverter.ConvertRevision(rev, team, sprintByPath!, _lastRevision, source.Id,
                            source.AzureDevOps.ResolvedIsDone, fromStart));
                    }
                }
                var progressed = !string.IsNullOrEmpty(page.ContinuationToken) && page.ContinuationToken != token;
                if (!string.IsNullOrEmpty(page.ContinuationToken)) tokens[project.Key] = page.ContinuationToken;
                if (pending is not null) yield return pending;
                pending = new SyncBatch { Events = events };
                if (page.IsLastBatch || !progressed) break;
                token = page.ContinuationToken;
            }
        }
        yield return (pending ?? new SyncBatch()) with
        {
            WatermarkAfter = JsonSerializer.Serialize(tokens, AzureDevOpsJson.Default.DictionaryStringString),
        };
    }

    private static Dictionary<string, string> ParseTokens(string? watermark)
    {
        if (string.IsNullOrWhiteSpace(watermark)) return new(StringComparer.OrdinalIgnoreCase);
        try
        {
            var d = JsonSerializer.Deserialize(watermark, AzureDevOpsJson.Default.DictionaryStringString);
            return d is null ? new(StringComparer.OrdinalIgnoreCase) : new(d, StringComparer.OrdinalIgnoreCase);
        }
        catch (JsonException)
        {
            return new(StringComparer.OrdinalIgnoreCase); // not ours (or corrupt): read the stream from its beginning
        }
    }

    /// <summary>
    /// Estimate fields to ask the revisions stream for: the override, the ones of teams already read this run,
    /// and the three process defaults, so an unchanged run need not read backlog configurations first.
    /// </summary>
    private IEnumerable<string> EstimateFieldsFor(IEnumerable<TeamOptions> teams)
    {
        if (!string.IsNullOrWhiteSpace(source.AzureDevOps.EstimateField)) yield return source.AzureDevOps.EstimateField;
        foreach (var t in teams)
            if (_cache.TryGetValue("process:" + Key(t), out var lazy) && lazy.IsValueCreated && lazy.Value.IsCompletedSuccessfully
                && ((AzureDevOpsProcess)lazy.Value.Result).EstimateField is { } f)
                yield return f;
        foreach (var f in StandardEstimateFields) yield return f;
    }

    // ---------------------------------------------------------------- per-run caches

    private async Task<AzureDevOpsTeamContext> TeamContextAsync(TeamOptions t, CancellationToken ct)
    {
        var (project, team) = Names(t);
        var process = await Once("process:" + Key(t), async () =>
        {
            var config = await client.GetBacklogConfigurationAsync(project, team, ct).ConfigureAwait(false);
            return AzureDevOpsProcess.From(config, source.AzureDevOps.EstimateField);
        }).ConfigureAwait(false);
        var iterations = await IterationsAsync(project, team, ct).ConfigureAwait(false);
        var (_, areas) = await AreasAsync(project, team, ct).ConfigureAwait(false);
        return new AzureDevOpsTeamContext { Team = t, Project = project, Process = process, Iterations = iterations, Areas = areas };
    }

    private async Task EnsureStatesAsync(AzureDevOpsTeamContext team, IEnumerable<string?> types, CancellationToken ct)
    {
        foreach (var type in types.OfType<string>().Distinct(StringComparer.OrdinalIgnoreCase).Where(t => !team.Process.KnowsStatesOf(t)).ToList())
        {
            var states = await Once($"states:{team.Project}/{type}", () => client.GetWorkItemTypeStatesAsync(team.Project, type, ct)).ConfigureAwait(false);
            team.Process.AddStates(type, states);
        }
    }

    private Task<IReadOnlyList<AdoIteration>> IterationsAsync(string project, string team, CancellationToken ct) =>
        Once($"iterations:{project}/{team}", () => client.GetIterationsAsync(project, team, ct));

    private Task<AdoTeamSettings> TeamSettingsAsync(string project, string team, CancellationToken ct) =>
        Once($"settings:{project}/{team}", () => client.GetTeamSettingsAsync(project, team, ct));

    /// <summary>The team's area paths as read on an earlier run; a full run reads the team field values again.</summary>
    private sealed record AreaState(string Field, List<AreaStateValue> Areas, DateTimeOffset? CapacitiesReadAt);

    private sealed record AreaStateValue(string Path, bool IncludeChildren);

    private AreaState? RestoreAreas(ScopeRequest scope)
    {
        if (scope.Full || string.IsNullOrEmpty(scope.ScopeState)) return null;
        AreaState? state;
        try { state = JsonSerializer.Deserialize<AreaState>(scope.ScopeState); }
        catch (JsonException) { return null; }
        if (state is null || state.Areas.Count == 0) return null;
        var (project, team) = Names(scope.Team);
        (string, IReadOnlyList<AdoArea>) value = (state.Field, state.Areas.Select(a => new AdoArea(a.Path, a.IncludeChildren)).ToList());
        _cache.TryAdd($"areas:{project}/{team}", new Lazy<Task<object>>(() => Task.FromResult<object>(value)));
        return state;
    }

    private Task<(string Field, IReadOnlyList<AdoArea> Areas)> AreasAsync(string project, string team, CancellationToken ct) =>
        Once($"areas:{project}/{team}", async () =>
        {
            var v = await client.GetTeamFieldValuesAsync(project, team, ct).ConfigureAwait(false);
            return (v.Field?.ReferenceName ?? "System.AreaPath",
                (IReadOnlyList<AdoArea>)v.Values.Select(x => new AdoArea(x.Value, x.IncludeChildren)).ToList());
        });

    /// <summary>Runs <paramref name="make"/> once per key for this run; a failure is not cached.</summary>
    private async Task<T> Once<T>(string key, Func<Task<T>> make)
    {
        var lazy = _cache.GetOrAdd(key, _ => new Lazy<Task<object>>(async () => (await make().ConfigureAwait(false))!));
        try
        {
            return (T)await lazy.Value.ConfigureAwait(false);
        }
        catch
        {
            _cache.TryRemove(new KeyValuePair<string, Lazy<Task<object>>>(key, lazy));
            throw;
        }
    }

    private async Task<List<TOut>> ForEachAsync<TIn, TOut>(IReadOnlyList<TIn> inputs, Func<TIn, Task<TOut>> run, CancellationToken ct)
    {
        using var gate = new SemaphoreSlim(Math.Max(1, maxInFlight));
        var tasks = inputs.Select(async input =>
        {
            await gate.WaitAsync(ct).ConfigureAwait(false);
            try { return await run(input).ConfigureAwait(false); }
            finally { gate.Release(); }
        }).ToList();
        return [.. await Task.WhenAll(tasks).ConfigureAwait(false)];
    }

    private static string Key(TeamOptions t) { var (p, team) = Names(t); return $"{p}/{team}"; }

    private static (string Project, string Team) Names(TeamOptions t)
    {
        var ado = t.AzureDevOps ?? throw new InvalidOperationException($"team '{t.Id}' has no AzureDevOps section (Project, Team)");
        if (string.IsNullOrWhiteSpace(ado.Project) || string.IsNullOrWhiteSpace(ado.Team))
            throw new InvalidOperationException($"team '{t.Id}': AzureDevOps.Project and AzureDevOps.Team are required");
        return (ado.Project, ado.Team);
    }
}
