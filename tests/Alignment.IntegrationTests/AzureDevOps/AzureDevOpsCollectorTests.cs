using Alignment.IntegrationTests.Infrastructure;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using WireMock;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;
using WireMock.Types;
using WireMock.Util;

namespace Alignment.IntegrationTests.AzureDevOps;

public sealed partial class AzureDevOpsCollectorTests : IDisposable
{
    private const string Org = "/contoso";
    private static readonly DateTimeOffset RunStartedAt = new(2026, 11, 2, 10, 0, 0, TimeSpan.Zero);

    private readonly WireMockServer _server = WireMockServer.Start();
    private readonly ServiceProvider _services;
    private readonly SourceOptions _source;
    private readonly TrackerApi _api;
    /// <summary>The transport's clock: a test that makes it back off or honour a Retry-After advances it instead of sleeping.</summary>
    private readonly TestClock _clock = new();

    private static readonly TeamOptions LedgerTeam = new()
    {
        Id = "ledger", Name = "Ledger", Source = "ado", AzureDevOps = new AzureDevOpsTeamOptions { Project = "Finance", Team = "Ledger" },
    };

    public AzureDevOpsCollectorTests()
    {
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(_clock);
        services.AddSingleton<SourceBudgets>();
        services.AddTrackerHttpClient(new TrackerHttpSettings("ado", new Uri(_server.Url + Org + "/"),
            TrackerHttpRegistration.Authorization("Pat", null, "not-a-real-pat"), MaxConcurrency: 4, MaxRequestsPerSecond: 0));
        _services = services.BuildServiceProvider();
        var http = _services.GetRequiredService<IHttpClientFactory>().CreateClient(TrackerHttpRegistration.ClientName("ado"));
        _api = new TrackerApi(http, _services.GetRequiredService<SourceBudgets>().Get("ado"), NullFailedPayloadSink.Instance,
            TrackerRequestPolicy.Default with { MaxRetries = 2, AttemptTimeout = TimeSpan.FromSeconds(10) }, _clock);
        _source = new SourceOptions { Id = "ado", Kind = TrackerKind.AzureDevOps, BaseUrl = _server.Url + Org };
    }

    public void Dispose()
    {
        _server.Stop();
        _server.Dispose();
        _services.Dispose();
    }

    private ITrackerCollector Collector() => new AzureDevOpsCollectorFactory().Create(_source, [_source], _api);

    private static async Task<List<SyncBatch>> All(IAsyncEnumerable<SyncBatch> batches)
    {
        var list = new List<SyncBatch>();
        await foreach (var b in batches) list.Add(b);
        return list;
    }

    private void Json(string path, string body, string method = "GET") =>
        _server.Given(Request.Create().WithPath(Org + path).UsingMethod(method))
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json").WithBody(body));

    private static ResponseMessage Reply(int status, string body) => new()
    {
        StatusCode = status,
        Headers = new Dictionary<string, WireMockList<string>> { ["Content-Type"] = new("application/json") },
        BodyData = new BodyData { BodyAsString = body, DetectedBodyType = BodyType.String, Encoding = Encoding.UTF8 },
    };

    private void TeamConfiguration()
    {
        Json("/Finance/Ledger/_apis/work/teamsettings/teamfieldvalues",
            """{"field":{"referenceName":"System.AreaPath","url":""},"defaultValue":"Finance\\Ledger","values":[{"value":"Finance\\Ledger","includeChildren":true}]}""");
        Json("/Finance/Ledger/_apis/work/backlogconfiguration",
            """
            {"backlogFields":{"typeFields":{"Effort":"Microsoft.VSTS.Scheduling.StoryPoints","Order":"Microsoft.VSTS.Common.StackRank"}},
             "requirementBacklog":{"id":"Microsoft.RequirementCategory","workItemTypes":[{"name":"User Story"}]},
             "portfolioBacklogs":[],"bugWorkItems":{"workItemTypes":[{"name":"Bug"}]},
             "workItemTypeMappedStates":[{"workItemTypeName":"User Story","states":{"New":"Proposed","Active":"InProgress","Closed":"Completed","Removed":"Removed"}}]}
            """);
        Json("/Finance/Ledger/_apis/work/teamsettings/iterations",
            """
            {"count":2,"value":[
              {"id":"11111111-0000-0000-0000-000000000011","name":"Sprint 11","path":"Finance\\Sprint 11","attributes":{"startDate":"2026-10-05T00:00:00Z","finishDate":"2026-10-16T00:00:00Z","timeFrame":"past"}},
              {"id":"11111111-0000-0000-0000-000000000012","name":"Sprint 12","path":"Finance\\Sprint 12","attributes":{"startDate":"2026-10-19T00:00:00Z","finishDate":"2026-10-30T00:00:00Z","timeFrame":"past"}}]}
            """);
    }

    private static string WorkItemJson(int id, string changed = "2026-11-01T09:00:00Z") => $$"""
        {"id":{{id}},"rev":2,"fields":{"System.Id":{{id}},"System.TeamProject":"Finance","System.AreaPath":"Finance\\Ledger",
         "System.IterationPath":"Finance\\Sprint 12","System.WorkItemType":"User Story","System.State":"Active","System.Title":"Item {{id}}",
         "System.CreatedDate":"2026-10-01T08:00:00Z","System.ChangedDate":"{{changed}}","Microsoft.VSTS.Scheduling.StoryPoints":3},
         "relations":[],"url":"https://dev.azure.com/contoso/_apis/wit/workItems/{{id}}"}
        """;

    /// <summary>workitemsbatch that answers the ids it was asked for (null for ids it does not know).</summary>
    private void WorkItemsBatch(ISet<int>? known = null) =>
        _server.Given(Request.Create().WithPath(Org + "/Finance/_apis/wit/workitemsbatch").UsingPost())
            .RespondWith(Response.Create().WithCallback(req =>
            {
                var ids = JsonNode.Parse(req.Body!)!["ids"]!.AsArray().Select(n => n!.GetValue<int>()).ToList();
                var value = string.Join(",", ids.Select(id => known is null || known.Contains(id) ? WorkItemJson(id) : "null"));
                return Reply(200, $$"""{"count":{{ids.Count}},"value":[{{value}}]}""");
            }));

    private static string WiqlAnswer(IEnumerable<int> ids) =>
        $$"""{"queryType":"flat","queryResultType":"workItem","asOf":"2026-11-02T10:00:00Z","columns":[],"workItems":[{{string.Join(",", ids.Select(i => $$"""{"id":{{i}},"url":"https://dev.azure.com/contoso/_apis/wit/workItems/{{i}}"}"""))}}]}""";

    private IEnumerable<IRequestMessage> Requests(string pathEnd) =>
        _server.LogEntries.Select(e => e.RequestMessage).Where(r => r.Path.EndsWith(pathEnd, StringComparison.Ordinal));

    [Fact]
    public async Task Hydrates_more_than_200_items_in_calls_of_at_most_200_ids()
    {
        TeamConfiguration();
        Json("/Finance/Ledger/_apis/wit/wiql", WiqlAnswer(Enumerable.Range(1, 450)), "POST");
        WorkItemsBatch();

        var batches = await All(Collector().CollectItemsAsync(new ScopeRequest(LedgerTeam, null, Full: true, RunStartedAt), CancellationToken.None));

        Assert.Equal(Enumerable.Range(1, 450).Select(i => i.ToString(CultureInfo.InvariantCulture)), batches.SelectMany(b => b.Items).Select(i => i.Key).Order(StringComparer.Ordinal).Order(Comparer<string>.Create((a, b) => int.Parse(a, CultureInfo.InvariantCulture).CompareTo(int.Parse(b, CultureInfo.InvariantCulture)))));
        Assert.Equal(450, batches.SelectMany(b => b.Raw).Count());
        var calls = Requests("/_apis/wit/workitemsbatch").ToList();
        Assert.Equal(3, calls.Count);
        Assert.All(calls, c =>
        {
            var body = JsonNode.Parse(c.Body!)!;
            Assert.InRange(body["ids"]!.AsArray().Count, 1, 200);
            Assert.Equal("Relations", body["$expand"]!.GetValue<string>());
            Assert.Null(body["fields"]);
            Assert.Equal("7.1", c.Query!["api-version"].Single());
        });
        var wiql = Assert.Single(Requests("/_apis/wit/wiql"));
        Assert.Equal("true", wiql.Query!["timePrecision"].Single());
        Assert.Contains("[System.ChangedDate] >= '2000-01-01T00:00:00.000Z'", Query(wiql), StringComparison.Ordinal);
        Assert.Equal(RunStartedAt.ToString("O", CultureInfo.InvariantCulture), batches[^1].WatermarkAfter);
        Assert.All(batches[..^1], b => Assert.Null(b.WatermarkAfter));
        Assert.Equal(StatusCategory.InProgress, batches[0].Items[0].StatusCategory);
        Assert.Equal("11111111-0000-0000-0000-000000000012", batches[0].Items[0].SprintId);
    }

    private static string Query(IRequestMessage wiql) => JsonNode.Parse(wiql.Body!)!["query"]!.GetValue<string>();

    [GeneratedRegex(@">= '([^']+)' AND \[System\.ChangedDate\] < '([^']+)'")]
    private static partial Regex Window();

    [Fact]
    public async Task Splits_the_date_window_when_the_query_exceeds_the_result_limit_and_returns_every_item()
    {
        TeamConfiguration();
        // 40 items changed between 2001 and 2026; the server refuses any window holding more than 8.
        var changed = Enumerable.Range(1, 40).ToDictionary(i => i, i => new DateTimeOffset(2001, 1, 1, 0, 0, 0, TimeSpan.Zero).AddDays(i * 230.5));
        _server.Given(Request.Create().WithPath(Org + "/Finance/Ledger/_apis/wit/wiql").UsingPost())
            .RespondWith(Response.Create().WithCallback(req =>
            {
                var m = Window().Match(JsonNode.Parse(req.Body!)!["query"]!.GetValue<string>());
                var from = DateTimeOffset.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
                var to = DateTimeOffset.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture);
                var hits = changed.Where(c => c.Value >= from && c.Value < to).Select(c => c.Key).ToList();
                return hits.Count > 8
                    ? Reply(400, """{"$id":"1","innerException":null,"message":"VS402337: The number of work items returned exceeds the size limit of 20000. Change the query to return fewer items.","typeName":"Microsoft.TeamFoundation.WorkItemTracking.Server.WorkItemTrackingQueryResultSizeLimitExceededException, Microsoft.TeamFoundation.WorkItemTracking.Server","typeKey":"WorkItemTrackingQueryResultSizeLimitExceededException","errorCode":0,"eventId":3200}""")
                    : Reply(200, WiqlAnswer(hits));
            }));
        WorkItemsBatch();

        var batches = await All(Collector().CollectItemsAsync(new ScopeRequest(LedgerTeam, null, Full: true, RunStartedAt), CancellationToken.None));

        Assert.Equal(Enumerable.Range(1, 40).Select(i => i.ToString(CultureInfo.InvariantCulture)).Order(),
            batches.SelectMany(b => b.Items).Select(i => i.Key).Order());
        Assert.True(Requests("/_apis/wit/wiql").Count() > 3, "the refused window was split");
        Assert.Contains(_server.LogEntries, e => e.ResponseMessage.StatusCode is 400);
    }

    [Fact]
    public async Task Waits_for_retry_after_on_429_then_succeeds()
    {
        _server.Given(Request.Create().WithPath(Org + "/Finance/Ledger/_apis/work/teamsettings/iterations").UsingGet())
            .InScenario("throttled").WillSetStateTo("open")
            .RespondWith(Response.Create().WithStatusCode(429).WithHeader("Retry-After", "1")
                .WithBody("TF400733: The request has been canceled: Request was blocked due to exceeding usage of resource 'WorkItemTracking' in namespace 'User'."));
        _server.Given(Request.Create().WithPath(Org + "/Finance/Ledger/_apis/work/teamsettings/iterations").UsingGet())
            .InScenario("throttled").WhenStateIs("open")
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json")
                .WithBody("""{"count":1,"value":[{"id":"22222222-0000-0000-0000-000000000001","name":"Sprint 1","path":"Finance\\Sprint 1","attributes":{"startDate":null,"finishDate":null,"timeFrame":"future"}}]}"""));

        var started = _clock.GetUtcNow();
        var collect = Collector().CollectSprintsAsync(new ScopeRequest(LedgerTeam, "2026-11-01T10:00:00.0000000Z", Full: false, RunStartedAt), CancellationToken.None);
        var waits = await _clock.AdvanceThroughWaitsAsync(collect, longest: TimeSpan.FromSeconds(1));

        Assert.Equal("22222222-0000-0000-0000-000000000001", Assert.Single((await collect).Sprints).ExternalId);
        Assert.Equal(2, Requests("/teamsettings/iterations").Count());
        Assert.Equal([TimeSpan.FromSeconds(1)], waits);
        Assert.Equal(TimeSpan.FromSeconds(1), _clock.GetUtcNow() - started); // Retry-After was honoured, on the clock
        Assert.True(_api.Budget.Retries >= 1);
    }

    [Fact]
    public async Task Resumes_reporting_revisions_from_the_stored_continuation_token()
    {
        TeamConfiguration();
        _server.Given(Request.Create().WithPath(Org + "/Finance/_apis/wit/reporting/workitemrevisions").UsingGet())
            .AtPriority(100)
            .RespondWith(Response.Create().WithStatusCode(500).WithBody("must resume from the token"));
        _server.Given(Request.Create().WithPath(Org + "/Finance/_apis/wit/reporting/workitemrevisions").WithParam("continuationToken", "tok-1").UsingGet())
            .AtPriority(1)
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json").WithBody("""
                {"values":[
                  {"id":101,"rev":5,"fields":{"System.Id":101,"System.Rev":5,"System.ChangedDate":"2026-10-16T09:00:00Z","System.WorkItemType":"User Story","System.State":"New","System.IterationPath":"Finance\\Sprint 11","System.AreaPath":"Finance\\Ledger","Microsoft.VSTS.Scheduling.StoryPoints":3}},
                  {"id":101,"rev":6,"fields":{"System.Id":101,"System.Rev":6,"System.ChangedDate":"2026-10-17T09:00:00Z","System.WorkItemType":"User Story","System.State":"New","System.IterationPath":"Finance\\Sprint 12","System.AreaPath":"Finance\\Ledger","Microsoft.VSTS.Scheduling.StoryPoints":3}},
                  {"id":900,"rev":1,"fields":{"System.Id":900,"System.Rev":1,"System.ChangedDate":"2026-10-17T09:00:00Z","System.WorkItemType":"User Story","System.State":"New","System.IterationPath":"Finance\\Sprint 12","System.AreaPath":"Finance\\Treasury"}}],
                 "nextLink":"…","continuationToken":"tok-2","isLastBatch":false}
                """));
        _server.Given(Request.Create().WithPath(Org + "/Finance/_apis/wit/reporting/workitemrevisions").WithParam("continuationToken", "tok-2").UsingGet())
            .AtPriority(1)
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json").WithBody("""
                {"values":[
                  {"id":101,"rev":7,"fields":{"System.Id":101,"System.Rev":7,"System.ChangedDate":"2026-10-20T09:00:00Z","System.WorkItemType":"User Story","System.State":"Active","System.IterationPath":"Finance\\Sprint 12","System.AreaPath":"Finance\\Ledger","Microsoft.VSTS.Scheduling.StoryPoints":5}}],
                 "continuationToken":"tok-3","isLastBatch":true}
                """));

        var batches = await All(Collector().CollectSourceWideAsync(
            new SourceScopeRequest([LedgerTeam], """{"Finance":"tok-1"}""", Full: false, RunStartedAt), CancellationToken.None));

        var events = batches.SelectMany(b => b.Events).ToList();
        Assert.Equal([ItemEventKind.SprintRemoved, ItemEventKind.SprintAdded, ItemEventKind.EstimateChanged, ItemEventKind.StatusChanged], events.Select(e => e.Kind));
        Assert.All(events, e => Assert.Equal("101", e.ItemExternalId)); // 900 is outside the team's area
        Assert.Equal("11111111-0000-0000-0000-000000000011", events[0].From);
        Assert.Equal("11111111-0000-0000-0000-000000000012", events[1].To);
        Assert.Equal("6:System.IterationPath:added", events[1].EventId);
        Assert.Equal(("3", "5"), (events[2].From, events[2].To));
        Assert.DoesNotContain(_server.LogEntries, e => e.ResponseMessage.StatusCode is 500);
        Assert.Equal("tok-3", JsonDocument.Parse(batches[^1].WatermarkAfter!).RootElement.GetProperty("Finance").GetString());
        Assert.All(batches[..^1], b => Assert.Null(b.WatermarkAfter));
        var first = Requests("/reporting/workitemrevisions").First();
        Assert.Contains("System.IterationPath", first.Query!["fields"]);
        Assert.Contains("Microsoft.VSTS.Scheduling.StoryPoints", first.Query!["fields"]);
    }

    [Fact]
    public async Task Malformed_workitemsbatch_payload_fails_naming_the_request()
    {
        TeamConfiguration();
        Json("/Finance/Ledger/_apis/wit/wiql", WiqlAnswer([1, 2]), "POST");
        Json("/Finance/_apis/wit/workitemsbatch", """{"count":2,"value":[{"id":1,"rev":1,"fields":{"System.Title":"trunc""", "POST");

        var collect = All(Collector().CollectItemsAsync(new ScopeRequest(LedgerTeam, null, Full: true, RunStartedAt), CancellationToken.None));
        var backOffs = await _clock.AdvanceThroughWaitsAsync(collect, longest: TimeSpan.FromSeconds(1));

        var ex = await Assert.ThrowsAsync<TrackerPayloadException>(() => collect);
        Assert.Equal(2, backOffs.Count); // retried twice (MaxRetries) after back-offs on the clock, then named
        Assert.Equal("ado", ex.SourceId);
        Assert.StartsWith("POST Finance/_apis/wit/workitemsbatch?api-version=7.1", ex.Request, StringComparison.Ordinal);
        Assert.Contains("workitemsbatch", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unchanged_incremental_run_reads_area_paths_wiql_and_iterations_and_keeps_the_revisions_token()
    {
        TeamConfiguration();
        Json("/Finance/Ledger/_apis/wit/wiql", WiqlAnswer([]), "POST");
        Json("/Finance/_apis/wit/reporting/workitemrevisions", """{"values":[],"continuationToken":"tok-9","isLastBatch":true}""");
        var collector = Collector();
        var scope = new ScopeRequest(LedgerTeam, "2026-11-02T09:45:00.0000000Z", Full: false, RunStartedAt);

        var sprints = await collector.CollectSprintsAsync(scope, CancellationToken.None);
        var items = await All(collector.CollectItemsAsync(scope, CancellationToken.None));
        var wide = await All(collector.CollectSourceWideAsync(new SourceScopeRequest([LedgerTeam], """{"Finance":"tok-9"}""", false, RunStartedAt), CancellationToken.None));

        Assert.Equal(2, sprints.Sprints.Count);
        Assert.Empty(sprints.Capacities);
        Assert.Equal(RunStartedAt.ToString("O", CultureInfo.InvariantCulture), Assert.Single(items).WatermarkAfter);
        Assert.Contains("[System.ChangedDate] >= '2026-11-02T09:40:00.000Z'", Query(Assert.Single(Requests("/_apis/wit/wiql"))), StringComparison.Ordinal);
        Assert.Equal("""{"Finance":"tok-9"}""", Assert.Single(wide).WatermarkAfter);
        Assert.Empty(Requests("/_apis/wit/reporting/workitemrevisions")); // no team had a change: no new revisions to read yet
        // teamfieldvalues + WIQL + iterations; no revisions, backlog configuration, capacities or settings.
        Assert.Equal(3, _api.Budget.Requests);
    }
    [Fact]
    public async Task Incremental_run_reads_capacity_of_current_and_future_iterations_only()
    {
        Json("/Finance/Ledger/_apis/work/teamsettings/iterations", """
            {"count":4,"value":[
              {"id":"33333333-0000-0000-0000-000000000001","name":"S1","path":"Finance\\S1","attributes":{"startDate":"2026-10-05T00:00:00Z","finishDate":"2026-10-16T00:00:00Z","timeFrame":"past"}},
              {"id":"33333333-0000-0000-0000-000000000002","name":"S2","path":"Finance\\S2","attributes":{"startDate":"2026-10-19T00:00:00Z","finishDate":"2026-10-30T00:00:00Z","timeFrame":"current"}},
              {"id":"33333333-0000-0000-0000-000000000003","name":"S3","path":"Finance\\S3","attributes":{"startDate":"2026-11-02T00:00:00Z","finishDate":"2026-11-13T00:00:00Z","timeFrame":"future"}},
              {"id":"33333333-0000-0000-0000-000000000004","name":"Later","path":"Finance\\Later","attributes":{"startDate":null,"finishDate":null,"timeFrame":"future"}}]}
            """);
        Json("/Finance/Ledger/_apis/work/teamsettings", """{"workingDays":["monday","tuesday","wednesday","thursday","friday"],"backlogIteration":{"id":"x","name":"Finance","path":""}}""");
        Json("/Finance/Ledger/_apis/work/teamsettings/iterations/33333333-0000-0000-0000-000000000002/capacities",
            """{"teamMembers":[{"teamMember":{"displayName":"Dana Reyes","uniqueName":"dana@contoso.com"},"activities":[{"name":"Development","capacityPerDay":5}],"daysOff":[]}],"totalCapacityPerDay":5,"totalDaysOff":0}""");
        Json("/Finance/Ledger/_apis/work/teamsettings/iterations/33333333-0000-0000-0000-000000000002/teamdaysoff",
            """{"daysOff":[{"start":"2026-10-26T00:00:00Z","end":"2026-10-27T00:00:00Z"}]}""");
        Json("/Finance/Ledger/_apis/work/teamsettings/iterations/33333333-0000-0000-0000-000000000003/capacities", """{"count":0,"value":[]}""");

        var result = await Collector().CollectSprintsAsync(new ScopeRequest(LedgerTeam, "2026-11-01T10:00:00.0000000Z", Full: false, RunStartedAt), CancellationToken.None);

        var dana = Assert.Single(result.Capacities);
        Assert.Equal(("33333333-0000-0000-0000-000000000002", 8.0, 5.0), (dana.SprintExternalId, dana.AvailableDays, dana.HoursPerDay));
        Assert.Empty(Requests("/33333333-0000-0000-0000-000000000001/capacities"));
        Assert.Single(Requests("/33333333-0000-0000-0000-000000000003/capacities"));
        Assert.Empty(Requests("/33333333-0000-0000-0000-000000000003/teamdaysoff")); // nobody planned: no days off needed
        Assert.Equal(SprintState.Active, result.Sprints[1].State);
        // iterations + 2 capacities + team settings + 1 team days off
        Assert.Equal(5, _api.Budget.Requests);
    }
}
