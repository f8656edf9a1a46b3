using Alignment.IntegrationTests.Infrastructure;
using System.Globalization;
using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using WireMock;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;
using WireMock.Types;
using WireMock.Util;

namespace Alignment.IntegrationTests.Jira;

/// <summary>The Jira collector against WireMock.Net serving the real Jira REST shapes.</summary>
public sealed class JiraCollectorTests : IDisposable
{
    private readonly WireMockServer _server = WireMockServer.Start();
    private readonly ServiceProvider _services;
    private readonly SourceOptions _source;
    private readonly SourceOptions _ado = new() { Id = "ado", Kind = TrackerKind.AzureDevOps, BaseUrl = "https://dev.azure.com/contoso" };
    private readonly TrackerApi _api;
    /// <summary>The transport's clock: a test that makes it back off or honour a Retry-After advances it instead of sleeping.</summary>
    private readonly TestClock _clock = new();
    private static readonly TeamOptions Team = new() { Id = "payments", Name = "Payments", Source = "jira", Jira = new JiraTeamOptions { Board = 7, Project = "PAY" } };
    private static readonly DateTimeOffset RunStart = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    public JiraCollectorTests()
    {
        _source = new SourceOptions { Id = "jira", Kind = TrackerKind.Jira, BaseUrl = _server.Url! };
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(_clock);
        services.AddSingleton<SourceBudgets>();
        services.AddTrackerHttpClient(new TrackerHttpSettings("jira", new Uri(_server.Url + "/"), null,
            MaxConcurrency: 4, MaxRequestsPerSecond: 0));
        _services = services.BuildServiceProvider();
        var http = _services.GetRequiredService<IHttpClientFactory>().CreateClient(TrackerHttpRegistration.ClientName("jira"));
        _api = new TrackerApi(http, _services.GetRequiredService<SourceBudgets>().Get("jira"), NullFailedPayloadSink.Instance,
            TrackerRequestPolicy.Default with { MaxRetries = 2, AttemptTimeout = TimeSpan.FromSeconds(10) }, _clock);
    }

    public void Dispose()
    {
        _server.Stop();
        _server.Dispose();
        _services.Dispose();
    }

    private ITrackerCollector Collector()
    {
        var factory = new JiraCollectorFactory();
        Assert.True(factory.Supports(TrackerKind.Jira));
        Assert.False(factory.Supports(TrackerKind.AzureDevOps));
        return factory.Create(_source, [_source, _ado], _api);
    }

    private static ScopeRequest Scope(string? watermark = null, bool full = true) => new(Team, watermark, full, RunStart);

    private static async Task<List<SyncBatch>> All(IAsyncEnumerable<SyncBatch> batches)
    {
        var list = new List<SyncBatch>();
        await foreach (var b in batches) list.Add(b);
        return list;
    }

    private void Json(string path, string body, int status = 200) =>
        _server.Given(Request.Create().WithPath(path).UsingGet())
            .RespondWith(Response.Create().WithStatusCode(status).WithHeader("Content-Type", "application/json").WithBody(body));

    private void StubCloudBasics(bool serverInfo = true)
    {
        if (serverInfo) Json("/rest/api/2/serverInfo", """{"baseUrl":"https://pay.atlassian.net","version":"1001.0.0-SNAPSHOT","deploymentType":"Cloud","buildNumber":100223,"serverTitle":"Jira"}""");
        Json("/rest/api/3/field", """
            [{"id":"customfield_10020","key":"customfield_10020","name":"Sprint","custom":true,"schema":{"type":"array","items":"json","custom":"com.pyxis.greenhopper.jira:gh-sprint","customId":10020}},
             {"id":"customfield_10016","key":"customfield_10016","name":"Story point estimate","custom":true,"schema":{"type":"number","custom":"com.pyxis.greenhopper.jira:jsw-story-points","customId":10016}},
             {"id":"customfield_10019","key":"customfield_10019","name":"Rank","custom":true,"schema":{"type":"any","custom":"com.pyxis.greenhopper.jira:gh-lexo-rank","customId":10019}}]
            """);
        Json("/rest/agile/1.0/board/7/configuration", """
            {"id":7,"name":"PAY board","type":"scrum","estimation":{"type":"field","field":{"fieldId":"customfield_10028","displayName":"Story Points"}},"ranking":{"rankCustomFieldId":10019}}
            """);
        _server.Given(Request.Create().WithPath("/rest/api/3/changelog/bulkfetch").UsingPost())
            .RespondWith(Response.Create().WithHeader("Content-Type", "application/json").WithBody("""{"issueChangeLogs":[]}"""));
    }

    private void StubBulkFetch() =>
        _server.Given(Request.Create().WithPath("/rest/api/3/issue/bulkfetch").UsingPost())
            .RespondWith(Response.Create().WithCallback(req =>
            {
                using var doc = JsonDocument.Parse(req.Body!);
                var issues = doc.RootElement.GetProperty("issueIdsOrKeys").EnumerateArray().Select(e => IssueJson(e.GetString()!));
                return JsonResponse($$"""{"expand":"schema,names","issues":[{{string.Join(",", issues)}}],"issueErrors":[]}""");
            }));

    private static string IssueJson(string id) => $$$"""
        {"expand":"","id":"{{{id}}}","self":"https://pay.atlassian.net/rest/api/3/issue/{{{id}}}","key":"PAY-{{{id}}}","fields":{
          "summary":"Item {{{id}}}",
          "status":{"name":"In Progress","id":"3","statusCategory":{"id":4,"key":"indeterminate","colorName":"yellow","name":"In Progress"}},
          "issuetype":{"id":"10001","name":"Story","subtask":false,"hierarchyLevel":0},
          "issuelinks":[],"created":"2026-02-01T09:00:00.000+0800","updated":"2026-02-27T10:00:00.000+0800","resolutiondate":null,
          "priority":{"name":"Medium","id":"3"},"assignee":null,"labels":[],"duedate":null,
          "customfield_10020":[{"id":40,"name":"PAY Sprint 29","state":"active","boardId":7,"startDate":"2026-02-20T09:00:00.000Z","endDate":"2026-03-06T09:00:00.000Z"}],
          "customfield_10028":3.0,"customfield_10019":"0|i0000{{{id}}}:"
        }
        }
        """;

    private static ResponseMessage JsonResponse(string body, int status = 200)
    {
        var response = new ResponseMessage
        {
            StatusCode = status,
            BodyData = new BodyData { BodyAsString = body, DetectedBodyType = BodyType.String },
        };
        response.AddHeader("Content-Type", "application/json");
        return response;
    }

    private void StubSearchPages(params (string? Token, IEnumerable<int> Ids, string? Next)[] pages)
    {
        foreach (var (token, ids, next) in pages)
        {
            var body = $$"""{"issues":[{{string.Join(",", ids.Select(i => $$"""{"id":"{{i}}"}"""))}}],{{(next is null ? "" : $"\"nextPageToken\":\"{next}\",")}}"isLast":{{(next is null ? "true" : "false")}}}""";
            _server.Given(Request.Create().WithPath("/rest/api/3/search/jql").UsingPost()
                    .WithBody((string? b) => b is not null && (token is null ? !b.Contains("nextPageToken", StringComparison.Ordinal) : b.Contains($"\"nextPageToken\":\"{token}\"", StringComparison.Ordinal))))
                .RespondWith(Response.Create().WithHeader("Content-Type", "application/json").WithBody(body));
        }
    }

    private IEnumerable<string> Bodies(string path) =>
        _server.LogEntries.Where(e => e.RequestMessage.Path == path).Select(e => e.RequestMessage.Body ?? "");

    [Fact]
    public async Task Reads_every_search_jql_page_and_hydrates_ids_in_hundreds()
    {
        StubCloudBasics();
        StubBulkFetch();
        StubSearchPages((null, Enumerable.Range(10001, 150), "t2"), ("t2", [10151, 10152], "t3"), ("t3", [10153], null));
        var collector = Collector();

        var description = await collector.PrepareAsync(CancellationToken.None);
        var batches = await All(collector.CollectItemsAsync(Scope(), CancellationToken.None));

        Assert.Contains("Cloud", description, StringComparison.Ordinal);
        var items = batches.SelectMany(b => b.Items).ToList();
        Assert.Equal(153, items.Count);
        Assert.Equal(153, items.Select(i => i.ExternalId).Distinct().Count());
        Assert.All(items, i => Assert.Equal(3.0, i.StoryPoints)); // the board's estimation field wins over the field list
        Assert.All(items, i => Assert.Equal("40", i.SprintId));
        Assert.Equal(153, batches.Sum(b => b.Raw.Count));

        var last = batches[^1];
        Assert.Empty(last.Items);
        Assert.Equal((RunStart - TimeSpan.FromMinutes(5)).ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture), last.WatermarkAfter);
        Assert.All(batches[..^1], b => Assert.Null(b.WatermarkAfter));

        var searches = Bodies("/rest/api/3/search/jql").ToList();
        Assert.Equal(3, searches.Count);
        using (var first = JsonDocument.Parse(searches[0]))
        {
            Assert.Equal("project = \"PAY\" ORDER BY id ASC", first.RootElement.GetProperty("jql").GetString());
            Assert.Equal(["id"], first.RootElement.GetProperty("fields").EnumerateArray().Select(e => e.GetString()));
        }
        var bulk = Bodies("/rest/api/3/issue/bulkfetch").ToList();
        Assert.Equal(2, bulk.Count);
        Assert.All(bulk, b => Assert.Contains("customfield_10028", b, StringComparison.Ordinal));
        Assert.Single(Bodies("/rest/api/3/changelog/bulkfetch"));
        // serverInfo + field + board configuration + 3 search pages + 2 bulkfetch + 1 changelog bulkfetch + issuetype (once, for the untranslated names)
        Assert.Equal(10, _api.Budget.Requests);
    }

    [Fact]
    public async Task Unchanged_incremental_run_asks_for_changes_since_the_watermark_only()
    {
        StubCloudBasics();
        StubSearchPages((null, [], null));
        Json("/rest/agile/1.0/board/7/sprint", """{"maxResults":50,"startAt":0,"isLast":true,"values":[{"id":40,"state":"active","name":"PAY Sprint 29","startDate":"2026-02-20T09:00:00.000Z","endDate":"2026-03-06T09:00:00.000Z","originBoardId":7}]}""");
        var collector = Collector();
        await collector.PrepareAsync(CancellationToken.None);
        var before = _api.Budget.Requests;

        var sprints = await collector.CollectSprintsAsync(Scope("1772000000000", full: false) with { KnownActiveSprints = ["40"] }, CancellationToken.None);
        var batches = await All(collector.CollectItemsAsync(Scope("1772000000000", full: false), CancellationToken.None));

        Assert.Equal("40", Assert.Single(sprints.Sprints).ExternalId);
        Assert.Empty(sprints.Capacities);
        var only = Assert.Single(batches);
        Assert.Empty(only.Items);
        Assert.NotNull(only.WatermarkAfter);
        using var search = JsonDocument.Parse(Bodies("/rest/api/3/search/jql").Single());
        Assert.Equal("project = \"PAY\" AND updated >= 1772000000000 ORDER BY id ASC", search.RootElement.GetProperty("jql").GetString());
        Assert.Contains("state=active%2Cfuture", _server.LogEntries.Single(e => e.RequestMessage.Path.EndsWith("/sprint", StringComparison.Ordinal)).RequestMessage.Url, StringComparison.Ordinal);
        // board configuration + sprint listing + one search page
        Assert.Equal(3, _api.Budget.Requests - before);
    }

    [Fact]
    public async Task Reads_a_known_active_sprint_that_left_the_listing()
    {
        StubCloudBasics();
        Json("/rest/agile/1.0/board/7/sprint", """{"maxResults":50,"startAt":0,"isLast":true,"values":[]}""");
        Json("/rest/agile/1.0/sprint/39", """{"id":39,"self":"x","state":"closed","name":"PAY Sprint 28","startDate":"2026-02-06T09:00:00.000Z","endDate":"2026-02-20T09:00:00.000Z","completeDate":"2026-02-20T10:00:00.000Z","originBoardId":7}""");

        var sprints = await Collector().CollectSprintsAsync(Scope(full: false) with { KnownActiveSprints = ["39"] }, CancellationToken.None);

        var sprint = Assert.Single(sprints.Sprints);
        Assert.Equal(SprintState.Closed, sprint.State);
        Assert.Equal(new DateTimeOffset(2026, 2, 20, 10, 0, 0, TimeSpan.Zero), sprint.CompletedAt);
    }

    [Fact]
    public async Task Retries_after_429_with_retry_after()
    {
        StubCloudBasics(serverInfo: false);
        _server.Given(Request.Create().WithPath("/rest/api/2/serverInfo").UsingGet())
            .InScenario("throttled").WillSetStateTo("open")
            .RespondWith(Response.Create().WithStatusCode(429).WithHeader("Retry-After", "1").WithBody("""{"errorMessages":["Rate limit exceeded"]}"""));
        _server.Given(Request.Create().WithPath("/rest/api/2/serverInfo").UsingGet())
            .InScenario("throttled").WhenStateIs("open")
            .RespondWith(Response.Create().WithHeader("Content-Type", "application/json").WithBody("""{"deploymentType":"Cloud"}"""));

        var prepare = Collector().PrepareAsync(CancellationToken.None);
        var waits = await _clock.AdvanceThroughWaitsAsync(prepare, longest: TimeSpan.FromSeconds(1));

        Assert.StartsWith("Jira Cloud", await prepare, StringComparison.Ordinal);
        Assert.Equal(2, _server.LogEntries.Count(e => e.RequestMessage.Path == "/rest/api/2/serverInfo"));
        Assert.True(_api.Budget.Retries >= 1);
        Assert.True(_api.Budget.RateLimitWaits >= 1, "the Retry-After header pushed the next request back");
        Assert.Equal([TimeSpan.FromSeconds(1)], waits); // the retry waited the second asked for, on the clock
    }

    [Fact]
    public async Task Retries_after_500()
    {
        StubCloudBasics();
        StubBulkFetch();
        _server.Given(Request.Create().WithPath("/rest/api/3/search/jql").UsingPost())
            .InScenario("flaky").WillSetStateTo("healthy")
            .RespondWith(Response.Create().WithStatusCode(500).WithBody("""{"errorMessages":["Internal server error"]}"""));
        _server.Given(Request.Create().WithPath("/rest/api/3/search/jql").UsingPost())
            .InScenario("flaky").WhenStateIs("healthy")
            .RespondWith(Response.Create().WithHeader("Content-Type", "application/json").WithBody("""{"issues":[{"id":"10001"}],"isLast":true}"""));

        var collect = All(Collector().CollectItemsAsync(Scope(), CancellationToken.None));
        var backOffs = await _clock.AdvanceThroughWaitsAsync(collect, longest: TimeSpan.FromSeconds(1));

        Assert.Equal("PAY-10001", Assert.Single((await collect).SelectMany(b => b.Items)).Key);
        Assert.Equal(2, _server.LogEntries.Count(e => e.RequestMessage.Path == "/rest/api/3/search/jql"));
        Assert.Single(backOffs);
    }

    [Fact]
    public async Task Truncated_bulkfetch_body_fails_with_a_payload_error_naming_the_request()
    {
        StubCloudBasics();
        StubSearchPages((null, [10001, 10002], null));
        var whole = $$"""{"issues":[{{IssueJson("10001")}},{{IssueJson("10002")}}],"issueErrors":[]}""";
        _server.Given(Request.Create().WithPath("/rest/api/3/issue/bulkfetch").UsingPost())
            .RespondWith(Response.Create().WithHeader("Content-Type", "application/json").WithBody(whole[..(whole.Length / 2)]));

        var collect = All(Collector().CollectItemsAsync(Scope(), CancellationToken.None));
        var backOffs = await _clock.AdvanceThroughWaitsAsync(collect, longest: TimeSpan.FromSeconds(1));

        var e = await Assert.ThrowsAsync<TrackerPayloadException>(() => collect);
        Assert.Equal(2, backOffs.Count); // retried twice (MaxRetries) after back-offs on the clock, then named
        Assert.Contains("rest/api/3/issue/bulkfetch", e.Message, StringComparison.Ordinal);
        Assert.Equal("jira", e.SourceId);
    }

    [Fact]
    public async Task Refused_credentials_fail_with_a_clear_request_error()
    {
        Json("/rest/api/2/serverInfo", """{"errorMessages":["You are not authenticated."]}""", status: 401);

        var e = await Assert.ThrowsAsync<TrackerRequestException>(() => Collector().PrepareAsync(CancellationToken.None));

        Assert.Equal(HttpStatusCode.Unauthorized, e.Status);
        Assert.Contains("credentials", e.Message, StringComparison.Ordinal);
        Assert.Contains("serverInfo", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Data_center_search_pages_by_the_number_of_issues_returned()
    {
        Json("/rest/api/2/serverInfo", """{"baseUrl":"https://jira.example.org","version":"9.12.0","deploymentType":"Server"}""");
        Json("/rest/api/2/field", """
            [{"id":"customfield_10105","name":"Sprint","custom":true,"schema":{"type":"array","items":"string","custom":"com.pyxis.greenhopper.jira:gh-sprint","customId":10105}},
             {"id":"customfield_10101","name":"Epic Link","custom":true,"schema":{"type":"any","custom":"com.pyxis.greenhopper.jira:gh-epic-link","customId":10101}},
             {"id":"customfield_10002","name":"Story Points","custom":true,"schema":{"type":"number","custom":"com.atlassian.jira.plugin.system.customfieldtypes:float","customId":10002}}]
            """);
        Json("/rest/agile/1.0/board/7/configuration", """{"id":7,"name":"SP board","estimation":{"type":"field","field":{"fieldId":"customfield_10002","displayName":"Story Points"}}}""");
        string Dc(int id) => $$$"""
            {"id":"{{{id}}}","key":"SP-{{{id}}}","fields":{"summary":"S {{{id}}}","status":{"name":"Offen","id":"1","statusCategory":{"id":2,"key":"new","name":"Aufgaben"}},
             "issuetype":{"id":"10001","name":"Story","subtask":false},"created":"2018-01-02T09:00:00.000+0100","updated":"2018-01-05T16:45:10.123+0100",
             "customfield_10101":"SP-1","customfield_10002":2.0,
             "customfield_10105":["com.atlassian.greenhopper.service.sprint.Sprint@7eede03a[id=2,rapidViewId=7,state=ACTIVE,name=SP Sprint 2,goal=<null>,startDate=2018-01-01T10:00:00.000+01:00,endDate=<null>,completeDate=<null>,sequence=2]"]},
             "changelog":{"startAt":0,"maxResults":0,"total":0,"histories":[]}
            }
            """;
        _server.Given(Request.Create().WithPath("/rest/api/2/search").UsingPost().WithBody((string? b) => b is not null && b.Contains("\"startAt\":0", StringComparison.Ordinal)))
            .RespondWith(Response.Create().WithHeader("Content-Type", "application/json").WithBody($$"""{"startAt":0,"maxResults":2,"total":3,"issues":[{{Dc(20010)}},{{Dc(20011)}}]}"""));
        _server.Given(Request.Create().WithPath("/rest/api/2/search").UsingPost().WithBody((string? b) => b is not null && b.Contains("\"startAt\":2", StringComparison.Ordinal)))
            .RespondWith(Response.Create().WithHeader("Content-Type", "application/json").WithBody($$"""{"startAt":2,"maxResults":2,"total":3,"issues":[{{Dc(20012)}}]}"""));
        var collector = Collector();

        var description = await collector.PrepareAsync(CancellationToken.None);
        var items = (await All(collector.CollectItemsAsync(Scope(), CancellationToken.None))).SelectMany(b => b.Items).ToList();

        Assert.Contains("Data Center", description, StringComparison.Ordinal);
        Assert.Equal(["SP-20010", "SP-20011", "SP-20012"], items.Select(i => i.Key));
        Assert.All(items, i => Assert.Equal(("SP-1", "2", 2.0), (i.ParentKey, i.SprintId, i.StoryPoints)));
        using var first = JsonDocument.Parse(Bodies("/rest/api/2/search").First());
        Assert.Equal(["changelog"], first.RootElement.GetProperty("expand").EnumerateArray().Select(e => e.GetString()));
        Assert.Contains("customfield_10101", first.RootElement.GetProperty("fields").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(2, Bodies("/rest/api/2/search").Count());
    }

    [Fact]
    public async Task Reads_remote_links_only_for_open_items_with_remote_link_history()
    {
        StubCloudBasics();
        StubBulkFetch();
        StubSearchPages((null, [10001, 10002], null));
        _server.Given(Request.Create().WithPath("/rest/api/3/changelog/bulkfetch").UsingPost())
            .RespondWith(Response.Create().WithHeader("Content-Type", "application/json").WithBody("""
                {"issueChangeLogs":[{"issueId":"10002","changeHistories":[{"id":"900","created":1772000000,"items":[
                  {"field":"RemoteIssueLink","fieldtype":"jira","from":null,"fromString":null,"to":"10300","toString":"This issue links to \"Payments#123\""},
                  {"field":"status","fieldtype":"jira","fieldId":"status","from":"10000","fromString":"Backlog","to":"3","toString":"In Progress"}]}]}]}
                """));
        Json("/rest/api/3/status", """[{"name":"Backlog","id":"10000","statusCategory":{"id":2,"key":"new","name":"To Do"}}]""");
        Json("/rest/api/3/issue/10002/remotelink", """
            [{"id":10300,"globalId":"system=https://dev.azure.com/contoso&id=123","application":{"type":"com.microsoft.azuredevops","name":"Azure DevOps"},
              "relationship":"is blocked by","object":{"url":"https://dev.azure.com/contoso/Payments/_workitems/edit/123","title":"Payments#123"}}]
            """);

        var batches = await All(Collector().CollectItemsAsync(Scope(), CancellationToken.None));

        var remote = Assert.Single(batches.SelectMany(b => b.Links), l => l.Origin == LinkOrigin.RemoteLink);
        Assert.Equal(("PAY-10002", "ado", "123", LinkKind.Dependency), (remote.FromKey, remote.ToSourceId, remote.ToKey, remote.Kind));
        Assert.Single(_server.LogEntries, e => e.RequestMessage.Path.EndsWith("/remotelink", StringComparison.Ordinal));
        var status = Assert.Single(batches.SelectMany(b => b.Events), e => e.Kind == ItemEventKind.StatusChanged);
        Assert.Equal(("todo", "inProgress"), (status.From, status.To));
        Assert.Single(_server.LogEntries, e => e.RequestMessage.Path == "/rest/api/3/status");
    }
}
