using Alignment.IntegrationTests.Infrastructure;
using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace Alignment.IntegrationTests.Sync;

/// <summary>
/// The transport's bounds (docs/reliability.md, "Deadlines"): answer size, total deadline, no retry of a type mismatch; and its
/// waits (Retry-After, rate-limit slow-downs, a request rate) on the host's clock, here a <see cref="TestClock"/> the tests advance.
/// </summary>
public sealed class TrackerApiDeadlineTests : IDisposable
{
    private readonly WireMockServer _server = WireMockServer.Start();
    private readonly ServiceProvider _services;
    private readonly TestClock _clock = new();

    public TrackerApiDeadlineTests()
    {
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(_clock);
        services.AddSingleton<SourceBudgets>();
        services.AddTrackerHttpClient(new TrackerHttpSettings("jira", new Uri(_server.Url + "/"), null, MaxConcurrency: 4, MaxRequestsPerSecond: 0));
        services.AddTrackerHttpClient(new TrackerHttpSettings("paced", new Uri(_server.Url + "/"), null, MaxConcurrency: 4, MaxRequestsPerSecond: 2));
        _services = services.BuildServiceProvider();
    }

    private TrackerApi Api(TrackerRequestPolicy policy, string source = "jira") => new(
        _services.GetRequiredService<IHttpClientFactory>().CreateClient(TrackerHttpRegistration.ClientName(source)),
        _services.GetRequiredService<SourceBudgets>().Get(source), NullFailedPayloadSink.Instance, policy, _clock);

    public void Dispose()
    {
        _services.Dispose();
        _server.Stop();
    }

    [Fact]
    public async Task An_answer_over_the_size_limit_fails_its_request_once_naming_the_limit()
    {
        _server.Given(Request.Create().WithPath("/rest/api/2/serverInfo").UsingGet())
            .RespondWith(Response.Create().WithStatusCode(200).WithBody("{\"deploymentType\":\"" + new string('x', 5000) + "\"}"));
        var api = Api(TrackerRequestPolicy.Default with { MaxResponseBytes = 1000 });

        var e = await Assert.ThrowsAsync<TrackerPayloadException>(() => api.GetAsync("rest/api/2/serverInfo", JiraJsonContext.Default.JiraServerInfo, default));

        // Refused on the declared length, or (chunked) as soon as the streamed body passes the limit.
        Assert.Contains("Sync:MaxResponseMegabytes", e.Message);
        Assert.Contains("1000 bytes", e.Message);
        Assert.Single(_server.LogEntries);
    }

    [Fact]
    public async Task A_source_that_keeps_answering_503_is_given_up_at_the_total_deadline_not_after_every_retry()
    {
        _server.Given(Request.Create().WithPath("/rest/api/2/serverInfo").UsingGet())
            .RespondWith(Response.Create().WithStatusCode(503).WithHeader("Retry-After", "1").WithBody("busy"));
        var api = Api(TrackerRequestPolicy.Default with { MaxRetries = 20, RequestTimeout = TimeSpan.FromSeconds(3), AttemptTimeout = TimeSpan.FromSeconds(3) });
        var started = _clock.GetUtcNow();

        var request = api.GetAsync("rest/api/2/serverInfo", JiraJsonContext.Default.JiraServerInfo, default);
        var waits = await _clock.AdvanceThroughWaitsAsync(request, longest: TimeSpan.FromSeconds(1));

        var e = await Assert.ThrowsAsync<TrackerRequestException>(() => request);
        Assert.Contains("gave up after 3 s", e.Message);
        // Twenty retries with Retry-After: 1 would wait twenty seconds; the total deadline stops it after three waits of 1 s.
        Assert.Equal([TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1)], waits);
        Assert.Equal(TimeSpan.FromSeconds(3), _clock.GetUtcNow() - started);
        Assert.InRange(_server.LogEntries.Count(), 3, 4);
    }

    [Fact]
    public async Task A_retry_after_holds_the_sources_next_request_until_the_clock_passes_it()
    {
        _server.Given(Request.Create().WithPath("/rest/api/2/serverInfo").UsingGet()).InScenario("throttled").WillSetStateTo("open")
            .RespondWith(Response.Create().WithStatusCode(429).WithHeader("Retry-After", "2").WithBody("slow down"));
        _server.Given(Request.Create().WithPath("/rest/api/2/serverInfo").UsingGet()).InScenario("throttled").WhenStateIs("open")
            .RespondWith(Response.Create().WithStatusCode(200).WithBody("""{"deploymentType":"Cloud"}"""));
        var api = Api(TrackerRequestPolicy.Default with { MaxRetries = 0 });
        await Assert.ThrowsAsync<TrackerRequestException>(() => api.GetAsync("rest/api/2/serverInfo", JiraJsonContext.Default.JiraServerInfo, default));

        // No retry here: the next request of the source waits in its budget, on the clock, for the two seconds asked.
        var next = api.GetAsync("rest/api/2/serverInfo", JiraJsonContext.Default.JiraServerInfo, default);
        var waits = await _clock.AdvanceThroughWaitsAsync(next, longest: TimeSpan.FromSeconds(2));

        Assert.Equal("Cloud", (await next).DeploymentType);
        Assert.Equal([TimeSpan.FromSeconds(2)], waits);
        Assert.Equal(1, api.Budget.RateLimitWaits);
        Assert.Equal(2, _server.LogEntries.Count());
    }

    [Fact]
    public async Task A_request_rate_spaces_the_sources_requests_on_the_clock()
    {
        _server.Given(Request.Create().WithPath("/rest/api/2/serverInfo").UsingGet())
            .RespondWith(Response.Create().WithStatusCode(200).WithBody("""{"deploymentType":"Server"}"""));
        var api = Api(TrackerRequestPolicy.Default, source: "paced");

        // Two requests a second: the first goes at once, each next one half a second after the one before.
        var three = Task.WhenAll(Enumerable.Range(0, 3).Select(_ => api.GetAsync("rest/api/2/serverInfo", JiraJsonContext.Default.JiraServerInfo, default)));
        var waits = await _clock.AdvanceThroughWaitsAsync(three, longest: TimeSpan.FromSeconds(1));

        Assert.All(await three, info => Assert.Equal("Server", info.DeploymentType));
        Assert.Equal([TimeSpan.FromMilliseconds(500), TimeSpan.FromMilliseconds(500)], waits);
        Assert.Equal(3, _server.LogEntries.Count());
    }

    [Fact]
    public async Task A_type_mismatch_is_not_retried_and_keeps_the_body()
    {
        _server.Given(Request.Create().WithPath("/rest/agile/1.0/board/1/sprint").UsingGet())
            .RespondWith(Response.Create().WithStatusCode(200).WithBody("""{"isLast":true,"values":[{"id":"one","name":"S"}]}"""));
        var sink = new RecordingSink();
        var api = new TrackerApi(_services.GetRequiredService<IHttpClientFactory>().CreateClient(TrackerHttpRegistration.ClientName("jira")),
            _services.GetRequiredService<SourceBudgets>().Get("jira"), sink, TrackerRequestPolicy.Default with { MaxRetries = 3 }, _clock);

        var e = await Assert.ThrowsAsync<TrackerPayloadException>(() => api.GetAsync("rest/agile/1.0/board/1/sprint", JiraJsonContext.Default.JiraSprintPage, default));

        Assert.Contains("expected a whole number at $.values[0].id, got \"one\"", e.Message);
        Assert.Single(_server.LogEntries);
        Assert.Single(sink.Bodies);
    }

    [Fact]
    public async Task A_truncated_wiql_answer_is_retried_and_a_vs402337_refusal_is_an_answer()
    {
        const string path = "/Finance/Ledger/_apis/wit/wiql";
        const string full = """{"queryType":"flat","asOf":"2026-03-01T12:00:00Z","workItems":[{"id":7,"url":"x"},{"id":9,"url":"y"}]}""";
        _server.Given(Request.Create().WithPath(path).UsingPost()).InScenario("wiql").WillSetStateTo("cut")
            .RespondWith(Response.Create().WithStatusCode(200).WithBody(full[..40]));
        _server.Given(Request.Create().WithPath(path).UsingPost()).InScenario("wiql").WhenStateIs("cut").WillSetStateTo("whole")
            .RespondWith(Response.Create().WithStatusCode(200).WithBody(full));
        _server.Given(Request.Create().WithPath(path).UsingPost()).InScenario("wiql").WhenStateIs("whole")
            .RespondWith(Response.Create().WithStatusCode(400).WithBody("""{"message":"VS402337: The number of work items returned exceeds the size limit of 20000."}"""));
        var client = new AzureDevOpsClient(Api(TrackerRequestPolicy.Default));

        var query = client.QueryIdsAsync("Finance", "Ledger", "SELECT [System.Id] FROM WorkItems", default);
        var backOffs = await _clock.AdvanceThroughWaitsAsync(query, longest: TimeSpan.FromSeconds(1));
        var first = await query;
        var second = await client.QueryIdsAsync("Finance", "Ledger", "SELECT [System.Id] FROM WorkItems", default);

        Assert.Equal([7, 9], first.Ids);
        Assert.False(first.TooMany);
        Assert.True(second.TooMany);
        Assert.Equal(3, _server.LogEntries.Count());
        Assert.Single(backOffs); // the truncated answer was retried after one back-off, on the clock
    }

    private sealed class RecordingSink : IFailedPayloadSink
    {
        public List<string> Bodies { get; } = [];
        public Task RecordAsync(string sourceId, string request, string error, string body, CancellationToken ct) { Bodies.Add(body); return Task.CompletedTask; }
    }
}
