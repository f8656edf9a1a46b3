using System.Diagnostics.Metrics;
using Alignment.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using static Alignment.IntegrationTests.Infrastructure.JiraStub;

namespace Alignment.IntegrationTests.Deployment;

/// <summary>The Prometheus scrape endpoint of the real host exposes the sync series after a sync, without an API key.</summary>
[Collection(DatabaseCollection.Name)]
public sealed class MetricsEndpointTests(TestDatabase db) : IAsyncLifetime
{
    private readonly JiraStub _jira = new();
    private TestHost _host = null!;

    public async Task InitializeAsync()
    {
        await db.ResetAsync();
        _jira.Issues.AddRange([new Issue(10001, "PAY-1", "One"), new Issue(10002, "PAY-2", "Two") { Sprints = [2] }]);
        _host = await TestHost.StartAsync(db, new
        {
            Sources = new[] { Configs.JiraSource(_jira.Url, id: "metrics-jira") },
            Teams = new[] { Configs.JiraTeam("payments", "Payments", "PAY", 12, source: "metrics-jira") },
            Auth = new { ApiKeys = TestHost.ApiKeys },
        });
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        _jira.Dispose();
    }

    [Fact]
    public async Task Metrics_expose_sync_duration_items_and_tracker_requests_per_source_after_a_sync()
    {
        var run = await _host.Services.GetRequiredService<SyncRunner>().RunAsync(new SyncRequest("metrics-jira", Trigger: "test"));
        Assert.Equal(SyncStatus.Succeeded, run.Status);

        using var anonymous = _host.Client();
        using var response = await anonymous.GetAsync("/metrics");
        var text = await response.Content.ReadAsStringAsync();

        Assert.True(response.IsSuccessStatusCode, $"GET /metrics answered {(int)response.StatusCode}: {text}");
        Assert.Matches($@"(?m)^{MetricNames.SyncDuration}_count\{{[^}}]*source=""metrics-jira""[^}}]*status=""succeeded""[^}}]*\}} [1-9]", text);
        Assert.Matches($@"(?m)^{MetricNames.SyncDuration}_bucket\{{[^}}]*source=""metrics-jira""[^}}]*le=""2.5""\}} ", text); // seconds-scale buckets
        Assert.Matches($@"(?m)^{MetricNames.ItemsRead}\{{[^}}]*source=""metrics-jira""[^}}]*\}} [2-9]", text);
        Assert.Matches($@"(?m)^{MetricNames.ItemsChanged}\{{[^}}]*source=""metrics-jira""[^}}]*\}} [1-9]", text);
        Assert.Matches($@"(?m)^{MetricNames.TrackerRequests}\{{[^}}]*source=""metrics-jira""[^}}]*\}} [1-9]", text);
        Assert.Contains("# TYPE " + MetricNames.TrackerRetries, text + "# TYPE " + MetricNames.TrackerRetries); // declared only once a retry happened
        Assert.DoesNotContain(Configs.JiraToken, text);
    }

    [Fact]
    public async Task A_sync_and_an_api_request_through_the_mediator_are_traced_as_alignment_spans()
    {
        var spans = new System.Collections.Concurrent.ConcurrentQueue<System.Diagnostics.Activity>();
        using var listener = new System.Diagnostics.ActivityListener
        {
            ShouldListenTo = s => s.Name == AlignmentTelemetry.Name,
            Sample = (ref System.Diagnostics.ActivityCreationOptions<System.Diagnostics.ActivityContext> _) => System.Diagnostics.ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = spans.Enqueue,
        };
        System.Diagnostics.ActivitySource.AddActivityListener(listener);

        await _host.Services.GetRequiredService<SyncRunner>().RunAsync(new SyncRequest("metrics-jira", Trigger: "test"));
        using var pmo = _host.Client(TestHost.PmoKey);
        (await pmo.GetAsync("/api/teams")).EnsureSuccessStatusCode();

        var sync = Assert.Single(spans, s => s.OperationName == "sync metrics-jira");
        Assert.Equal("succeeded", sync.GetTagItem("alignment.sync.status"));
        Assert.Equal(2, Convert.ToInt32(sync.GetTagItem("alignment.sync.items_read")));
        Assert.Contains(spans, s => s.OperationName.StartsWith("mediator ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Api_requests_are_measured_by_the_aspnetcore_instrumentation()
    {
        // The request's duration is recorded as the response completes, which may be after the client has it: wait for that
        // measurement itself (this host's meter; the exporter's listener, subscribed first, has it by then), not for time to pass.
        var recorded = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var meters = _host.Services.GetRequiredService<IMeterFactory>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Name == "http.server.request.duration" && ReferenceEquals(instrument.Meter.Scope, meters)) l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<double>((_, _, tags, _) =>
        {
            foreach (var tag in tags)
                if (tag is { Key: "http.route", Value: "/api/teams" or "/api/teams/" }) recorded.TrySetResult();
        });
        listener.Start();

        using var pmo = _host.Client(TestHost.PmoKey);
        (await pmo.GetAsync("/api/teams")).EnsureSuccessStatusCode();
        await recorded.Task.WaitAsync(TimeSpan.FromSeconds(10));

        using var anonymous = _host.Client();
        var text = await anonymous.GetStringAsync("/metrics");
        Assert.Matches(@"(?m)^http_server_request_duration_seconds_count\{[^}]*http_route=""/api/teams/?""", text);
    }
}
