using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Alignment.IntegrationTests.Infrastructure;
using Alignment.Simulator;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Alignment.IntegrationTests.Sync;

/// <summary>
/// The payload fuzzing drill of issue 12 (docs/reliability.md, docs/reliability.md). The host syncs a simulated organisation
/// through a proxy that mutates chosen JSON answers: null for objects, wrong types, 1 MB strings, 200 levels of
/// nesting, truncation, invalid UTF-8, duplicate keys, removed and unknown fields, emptied arrays, on every endpoint
/// both clients call. Every run is a full sync of both sources carrying about a dozen mutations, at most one per
/// team (so each team's outcome names one mutation) or one per source for the endpoints every team shares. Each
/// mutation must end tolerated, quarantined or as a named request failure; nothing escapes, nothing hangs, the
/// host stays live, and every item the mutations did not touch is stored exactly as after the clean sync.
/// The planning of the runs' mutations is in PayloadFuzzTests.Planning.cs.
/// </summary>
[Collection(DatabaseCollection.Name)]
public sealed partial class PayloadFuzzTests(ITestOutputHelper output) : IAsyncLifetime
{
    // A database of its own: a sync another test of the collection left running in the shared one would hold the
    // source's advisory lock and skip these runs. The collection still keeps the drill from running beside other tests.
    private readonly TestDatabase db = new();

    private static readonly SimulatorOptions Org = new() { Teams = 12, Items = 480, Links = 160, Seed = 12 };
    private const int MinimumMutations = 500;
    private static readonly TimeSpan RunBound = TimeSpan.FromSeconds(90), Budget = TimeSpan.FromSeconds(140);

    private enum Scope { Source, Team, Item, History }

    private sealed record Endpoint(string Name, string Source, Scope Scope, Regex Pattern);

    private static Endpoint E(string name, string source, Scope scope, string pattern) =>
        new(name, source, scope, new Regex(pattern, RegexOptions.CultureInvariant));

    /// <summary>Every endpoint the clients call; each pattern matches the proxied path and the request as errors name it.</summary>
    private static readonly Endpoint[] Endpoints =
    [
        E("jira serverInfo", "jira", Scope.Source, @"rest/api/\d/serverInfo"),
        E("jira field", "jira", Scope.Source, @"rest/api/\d/field(?![\w/])"),
        E("jira issuetype", "jira", Scope.Source, @"rest/api/\d/issuetype(?![\w/])"),
        E("jira status", "jira", Scope.Source, @"rest/api/\d/status(?![\w/])"),
        E("jira board configuration", "jira", Scope.Team, @"rest/agile/1\.0/board/\d+/configuration"),
        E("jira board sprints", "jira", Scope.Team, @"rest/agile/1\.0/board/\d+/sprint\?"),
        E("jira search/jql", "jira", Scope.Team, @"rest/api/3/search/jql"),
        E("jira issue/bulkfetch", "jira", Scope.Item, @"rest/api/3/issue/bulkfetch"),
        E("jira changelog/bulkfetch", "jira", Scope.Team, @"rest/api/3/changelog/bulkfetch"),
        E("jira remotelink", "jira", Scope.Team, @"rest/api/\d/issue/[^/ ]+/remotelink"),
        E("ado wiql", "ado", Scope.Team, @"/_apis/wit/wiql"),
        E("ado workitemsbatch", "ado", Scope.Item, @"/_apis/wit/workitemsbatch"),
        E("ado backlogconfiguration", "ado", Scope.Team, @"/_apis/work/backlogconfiguration"),
        E("ado workitemtype states", "ado", Scope.Source, @"/_apis/wit/workitemtypes/[^/ ]+/states"),
        E("ado teamsettings", "ado", Scope.Team, @"/_apis/work/teamsettings\?"),
        E("ado teamfieldvalues", "ado", Scope.Team, @"/_apis/work/teamsettings/teamfieldvalues"),
        E("ado iterations", "ado", Scope.Team, @"/_apis/work/teamsettings/iterations\?"),
        E("ado capacities", "ado", Scope.Team, @"/iterations/[^/ ]+/capacities"),
        E("ado teamdaysoff", "ado", Scope.Team, @"/iterations/[^/ ]+/teamdaysoff"),
        E("ado workitemrevisions", "ado", Scope.History, @"/_apis/wit/reporting/workitemrevisions"),
    ];

    private static readonly MutationKind[] Kinds = Enum.GetValues<MutationKind>();

    private sealed record Candidate(Endpoint Endpoint, ProxiedRequest Request, string? Team);

    private sealed record Planned(Candidate Target, ArmedMutation Mutation);

    private sealed record Row(string Hash, string? Team);

    private sealed record Quarantine(string SourceId, string? TeamId, string? ExternalId, string? ItemKey, string? Request, string? JsonPath, string? Error);

    private enum Outcome { Tolerated, Quarantined, RequestFailed }

    private RunningSimulator _sim = null!;
    private MutatingProxy _proxy = null!;
    private TestHost _host = null!;
    private JsonObject _config = null!;
    /// <summary>The host's clock: the back-offs of retried (truncated, malformed) answers are advanced through, never slept.</summary>
    private readonly TestClock _clock = new(DateTimeOffset.UtcNow);

    public async Task InitializeAsync()
    {
        await db.InitializeAsync();
        _sim = await SimulatorServer.StartAsync(Org);
        _proxy = await MutatingProxy.StartAsync(_sim.BaseUrl + "/");
        // The simulator's backlog configurations carry every type's states, so the client would never ask for them;
        // without that part it reads each type's states (the same categories), and that endpoint is fuzzed too.
        _proxy.Baseline = (request, body) => request.PathAndQuery.Contains("/_apis/work/backlogconfiguration", StringComparison.Ordinal)
            && JsonNode.Parse(body) is JsonObject o && o.Remove("workItemTypeMappedStates") ? Encoding.UTF8.GetBytes(o.ToJsonString()) : body;
        // One retry (a truncated answer is retried; the mutation is armed for every answer of its request).
        _config = await SimulatedOrg.ConfigAsync(_sim, new JsonObject
        {
            ["Cron"] = "", ["FullCron"] = "", ["MaxRetries"] = 1, ["RequestTimeoutSeconds"] = 15, ["RequestTotalSeconds"] = 30, ["RunTimeoutMinutes"] = 1,
        });
        foreach (var s in _config["Sources"]!.AsArray())
            s!["BaseUrl"] = s["BaseUrl"]!.GetValue<string>().Replace(_sim.BaseUrl, _proxy.Url, StringComparison.Ordinal);
        _host = await TestHost.StartAsync(db, _config, _clock);
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _proxy.DisposeAsync();
        await _sim.DisposeAsync();
        await db.DisposeAsync();
    }

    [Fact]
    public async Task Five_hundred_mutated_answers_are_tolerated_quarantined_or_named_and_leave_untouched_items_as_they_were()
    {
        var clock = Stopwatch.StartNew();
        var first = await SyncBothAsync();
        Assert.All(first, r => Assert.True(r.Status == SyncStatus.Succeeded, $"{r.SourceId}: {r.Status} {r.Error}"));
        var clean = await RowsAsync();
        var catalogue = Catalogue(clean);
        // Jira reads statuses and remote links only when an answer calls for them; the generated organisation has no open item
        // with remote-link history, so those two are mutated only when an earlier answer led there.
        Assert.Empty(Endpoints.Where(e => e.Name is not ("jira status" or "jira remotelink") && !catalogue.ContainsKey(e)).Select(e => e.Name));
        output.WriteLine($"clean full sync: {clean.Count} items, {_proxy.Seen.Count} distinct requests, {clock.Elapsed.TotalSeconds:0.0} s");

        var previous = clean;
        var tally = new List<(Candidate Target, ArmedMutation Mutation, Outcome Outcome, string Detail)>();
        var problems = new List<string>();
        var kindCounter = 0;
        var runs = 0;
        while (tally.Count < MinimumMutations + 20 && clock.Elapsed < Budget)
        {
            var plan = Plan(catalogue, runs, ref kindCounter);
            _proxy.Arm(plan.Select(p => p.Mutation));
            var since = await db.ScalarAsync<DateTime>("SELECT now()");
            IReadOnlyList<SyncRunResult> results;
            try { results = await SyncBothAsync().WaitAsync(RunBound); }
            catch (TimeoutException) { throw new Xunit.Sdk.XunitException($"run {runs} did not return within {RunBound}: {Describe(plan)}"); }
            catch (Exception e) { throw new Xunit.Sdk.XunitException($"run {runs} threw {e}\nmutations: {Describe(plan)}"); }
            _proxy.Arm([]);
            runs++;

            await AssertLiveAsync(runs);
            var quarantined = await QuarantinedSinceAsync(since);
            var current = await RowsAsync();
            problems.AddRange(Check(runs, plan, results, quarantined, clean, previous, current));
            foreach (var p in plan.Where(p => p.Mutation.Applied > 0))
            {
                var (outcome, detail) = Attribute(p, results, quarantined);
                tally.Add((p.Target, p.Mutation, outcome, detail));
            }
            previous = current;
        }
        await AssertQuarantineRowsNamedAsync(problems);

        // Recovery: one clean full sync stores every item exactly as the first clean sync did.
        var final = await SyncBothAsync();
        var recovered = await RowsAsync();
        foreach (var (id, row) in clean)
            if (!recovered.TryGetValue(id, out var r) || r.Hash != row.Hash) problems.Add($"after a clean sync {id} differs from the clean store");

        Report(tally, runs, clock.Elapsed, final);
        Assert.True(problems.Count == 0, string.Join("\n", problems.Take(40)) + (problems.Count > 40 ? $"\n… {problems.Count - 40} more" : ""));
        Assert.True(tally.Count >= MinimumMutations, $"only {tally.Count} mutations reached the host in {runs} runs ({clock.Elapsed.TotalSeconds:0} s)");
    }

    // ------------------------------------------------------------------ running and checking

    private async Task<IReadOnlyList<SyncRunResult>> SyncBothAsync()
    {
        async Task<SyncRunResult> One(string source)
        {
            await using var scope = _host.Services.CreateAsyncScope();
            var mediator = scope.ServiceProvider.GetRequiredService<Mediator.IMediator>();
            return await scope.ServiceProvider.SyncOneAsync(new SyncRequest(source, Full: true, Trigger: "fuzz"));
        }
        var both = Task.WhenAll(One("jira"), One("ado"));
        // 1 s: above a retry's jittered back-off, below every deadline of the runs (15 s a request, 30 s in all).
        await _clock.AdvanceThroughWaitsAsync(both, longest: TimeSpan.FromSeconds(1), bound: RunBound);
        return await both;
    }

    private async Task AssertLiveAsync(int run)
    {
        using var c = _host.Client();
        c.Timeout = TimeSpan.FromSeconds(10);
        var live = await c.GetAsync("/health/live");
        Assert.True(live.StatusCode == HttpStatusCode.OK, $"after run {run} /health/live answered {live.StatusCode}");
    }

    private async Task<Dictionary<(string, string), Row>> RowsAsync() =>
        (await db.QueryAsync<(string Source, string Id, string? Team, string Hash)>("""
            SELECT source_id, external_id, team_id, md5(ROW(key, url, type, original_type, title, status, status_category, story_points,
                   team_id, sprint_id, parent_key, rank, priority, assignee, created_at, updated_at, resolved_at, due_date, labels, sprint_ids, deleted)::text)
            FROM core.work_items
            """)).ToDictionary(r => (r.Source, r.Id), r => new Row(r.Hash, r.Team));

    private async Task<List<Quarantine>> QuarantinedSinceAsync(DateTime since) =>
        await db.QueryAsync<Quarantine>("""
            SELECT source_id AS SourceId, team_id AS TeamId, external_id AS ExternalId, item_key AS ItemKey, request AS Request, json_path AS JsonPath, error AS Error FROM raw.failed_payloads
            WHERE kind = 'item' AND resolved_at IS NULL AND last_seen_at >= @since
            """, new { since });

    private async Task AssertQuarantineRowsNamedAsync(List<string> problems)
    {
        var all = await db.QueryAsync<Quarantine>("SELECT source_id AS SourceId, team_id AS TeamId, external_id AS ExternalId, item_key AS ItemKey, request AS Request, json_path AS JsonPath, error AS Error FROM raw.failed_payloads WHERE kind = 'item'");
        foreach (var q in all)
            if (string.IsNullOrEmpty(q.SourceId) || string.IsNullOrEmpty(q.Request) || string.IsNullOrEmpty(q.JsonPath) || string.IsNullOrEmpty(q.Error)
                || (string.IsNullOrEmpty(q.ItemKey) && string.IsNullOrEmpty(q.ExternalId)))
                problems.Add($"quarantine row without source, request, path, error or key: {q}");
    }

    /// <summary>Items a mutation may legitimately change: (source, external id) pairs, teams, or a whole source.</summary>
    private static (HashSet<(string, string)> Items, HashSet<string> Teams, HashSet<string> Sources) Touched(IEnumerable<Planned> plan)
    {
        var items = new HashSet<(string, string)>();
        var teams = new HashSet<string>();
        var sources = new HashSet<string>();
        foreach (var p in plan.Where(p => p.Mutation.Applied > 0))
        {
            var e = p.Target.Endpoint;
            switch (e.Scope)
            {
                case Scope.Source: sources.Add(e.Source); break;
                case Scope.Team: teams.Add(p.Target.Team!); break;
                case Scope.Item:
                    var array = e.Source == "jira" ? "issues" : "value";
                    var elements = JsonNode.Parse(p.Mutation.CleanBody!)?[array]?.AsArray() ?? new JsonArray();
                    var m = Regex.Match(p.Mutation.Result!.Path, $@"^\$\.{array}\[(\d+)\]");
                    List<JsonNode?> which = m.Success ? [elements[int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)]] : elements.ToList();
                    foreach (var el in which) if (el?["id"] is { } id) items.Add((e.Source, id.ToString()));
                    if (!m.Success) // the whole answer: every id asked for
                        foreach (var id in (JsonNode.Parse(p.Target.Request.Body)?[e.Source == "jira" ? "issueIdsOrKeys" : "ids"]?.AsArray() ?? new JsonArray()))
                            items.Add((e.Source, id!.ToString()));
                    break;
            }
        }
        return (items, teams, sources);
    }

    private static IEnumerable<string> Check(int run, List<Planned> plan, IReadOnlyList<SyncRunResult> results, List<Quarantine> quarantined,
        IReadOnlyDictionary<(string, string), Row> clean, IReadOnlyDictionary<(string, string), Row> previous, IReadOnlyDictionary<(string, string), Row> current)
    {
        var where = $"run {run} ({Describe(plan)})";
        foreach (var r in results)
        {
            if (r.Status is not (SyncStatus.Succeeded or SyncStatus.Partial or SyncStatus.Failed))
                yield return $"{where}: {r.SourceId} ended {r.Status}";
            if (r.Status == SyncStatus.Failed && r.Teams.Count == 0 && !Named(r.SourceId, r.Error))
                yield return $"{where}: {r.SourceId} failed with an error that names no source and request: {r.Error}";
            foreach (var t in r.Teams.Where(t => t.Status == SyncStatus.Failed && !Named(r.SourceId, t.Error)))
                yield return $"{where}: {r.SourceId} team '{t.TeamId}' failed with an error that names no source and request: {t.Error}";
        }

        var (items, teams, sources) = Touched(plan);
        var failedTeams = results.SelectMany(r => r.Teams.Where(t => t.Status == SyncStatus.Failed).Select(t => t.TeamId)).ToHashSet();
        var failedSources = results.Where(r => r.Status == SyncStatus.Failed && r.Teams.Count == 0).Select(r => r.SourceId).ToHashSet();
        var quarantinedNow = quarantined.Select(q => (q.SourceId, q.ExternalId ?? "")).ToHashSet();

        // Nothing a mutation did not reach is quarantined (ids no clean item has are mutated ids, re-read every run).
        foreach (var q in quarantined)
            if (clean.ContainsKey((q.SourceId, q.ExternalId ?? "")) && !sources.Contains(q.SourceId) && !teams.Contains(q.TeamId ?? "")
                && !items.Contains((q.SourceId, q.ExternalId ?? "")) && !plan.Any(p => p.Mutation.Applied > 0 && p.Target.Team == q.TeamId))
                yield return $"{where}: {q.SourceId} item {q.ExternalId} was quarantined but no mutation reached it: {q.Error}";

        foreach (var (id, cleanRow) in clean)
        {
            current.TryGetValue(id, out var now);
            var before = previous.TryGetValue(id, out var b) ? b : null;
            if (quarantinedNow.Contains(id))
            {
                if (now?.Hash != before?.Hash) yield return $"{where}: quarantined item {id} did not keep its previous row";
                continue;
            }
            if (items.Contains(id) || sources.Contains(id.Item1) || teams.Contains(cleanRow.Team ?? "")) continue;
            var kept = failedSources.Contains(id.Item1) || failedTeams.Contains(cleanRow.Team ?? "");
            if (now?.Hash == cleanRow.Hash || (kept && now?.Hash == before?.Hash)) continue;
            yield return $"{where}: untouched item {id} (team {cleanRow.Team}{(kept ? ", failed" : "")}) differs from the {(kept ? "previous and the " : "")}clean store";
        }
    }

    private static bool Named(string source, string? error) =>
        error is not null && error.Contains($"source '{source}'", StringComparison.Ordinal) && Endpoints.Any(e => e.Pattern.IsMatch(error));

    private static (Outcome, string) Attribute(Planned p, IReadOnlyList<SyncRunResult> results, List<Quarantine> quarantined)
    {
        var e = p.Target.Endpoint;
        var r = results.Single(r => r.SourceId == e.Source);
        var errors = e.Scope switch
        {
            Scope.Source => r.Teams.Select(t => t.Error).Append(r.Error),
            Scope.History => r.Teams.Where(t => t.TeamId.Length == 0).Select(t => t.Error),
            _ => r.Teams.Where(t => t.TeamId == p.Target.Team).Select(t => t.Error).Append(r.Teams.Count == 0 ? r.Error : null),
        };
        var named = errors.OfType<string>().FirstOrDefault(x => e.Pattern.IsMatch(x));
        if (named is not null) return (Outcome.RequestFailed, named);
        var q = quarantined.Where(q => q.SourceId == e.Source && (e.Scope == Scope.Source || q.TeamId == p.Target.Team)).ToList();
        if (q.Count > 0) return (Outcome.Quarantined, $"{q.Count} item(s): {q[0].JsonPath}: {q[0].Error}");
        var other = errors.OfType<string>().FirstOrDefault();
        if (other is not null) return (Outcome.RequestFailed, "(a later request) " + other);
        return (Outcome.Tolerated, "");
    }

    private static string Describe(IEnumerable<Planned> plan) =>
        string.Join("; ", plan.Select(p => $"{p.Target.Endpoint.Name}{(p.Target.Team is null ? "" : " [" + p.Target.Team + "]")} {p.Mutation.Kind}"
                                            + (p.Mutation.Result is { } m ? $" at {m.Path} ({m.Description})" : "")));

    private void Report(List<(Candidate Target, ArmedMutation Mutation, Outcome Outcome, string Detail)> tally, int runs, TimeSpan elapsed, IReadOnlyList<SyncRunResult> final)
    {
        string Counts(IEnumerable<Outcome> o)
        {
            var l = o.ToList();
            return $"{l.Count,4}: {l.Count(x => x == Outcome.Tolerated),4} tolerated {l.Count(x => x == Outcome.Quarantined),4} quarantined {l.Count(x => x == Outcome.RequestFailed),4} request failed";
        }
        var sb = new StringBuilder();
        sb.AppendLine($"payload fuzz: {tally.Count} mutations in {runs} full syncs of both sources, {elapsed.TotalSeconds:0.0} s");
        sb.AppendLine($"total  {Counts(tally.Select(t => t.Outcome))}");
        sb.AppendLine("by endpoint:");
        foreach (var g in tally.GroupBy(t => t.Target.Endpoint.Name).OrderBy(g => g.Key, StringComparer.Ordinal))
            sb.AppendLine($"  {g.Key,-28}{Counts(g.Select(t => t.Outcome))}");
        sb.AppendLine("by kind:");
        foreach (var g in tally.GroupBy(t => t.Mutation.Kind).OrderBy(g => g.Key))
            sb.AppendLine($"  {g.Key,-28}{Counts(g.Select(t => t.Outcome))}");
        sb.AppendLine("examples:");
        foreach (var g in tally.Where(t => t.Outcome != Outcome.Tolerated).GroupBy(t => (t.Target.Endpoint.Name, t.Outcome)).OrderBy(g => g.Key.Name, StringComparer.Ordinal))
        {
            var t = g.First();
            var detail = t.Detail.Length > 220 ? t.Detail[..220] + "…" : t.Detail;
            sb.AppendLine($"  {g.Key.Name} {t.Mutation.Kind} at {t.Mutation.Result!.Path} → {g.Key.Outcome}: {detail}");
        }
        sb.AppendLine($"final clean sync: {string.Join(", ", final.Select(r => $"{r.SourceId} {r.Status.Name()}"))}");
        output.WriteLine(sb.ToString());
    }
}
