using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Alignment.IntegrationTests.Infrastructure;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using static Alignment.IntegrationTests.Infrastructure.JiraStub;

namespace Alignment.IntegrationTests.Deployment;

/// <summary>
/// Issue 12, "Outages": PostgreSQL stopped in the middle of API traffic and of a sync, on a cluster of the test's
/// own (<see cref="PrivatePostgres"/>), with the real host running throughout (no restart). The API answers 503
/// problem details and /health/ready 503 while the server is down, and both recover by themselves once it is back;
/// the interrupted sync fails without writing its batch or moving its watermark, and the next one stores everything.
/// </summary>
public sealed class OutageTests(PrivatePostgres pg) : IClassFixture<PrivatePostgres>
{
    private static readonly TimeSpan RecoveryDeadline = TimeSpan.FromSeconds(30);

    private static object Config(string jiraUrl) => new
    {
        Sources = new[] { Configs.JiraSource(jiraUrl, maxRetries: 1) },
        Teams = new[] { Configs.JiraTeam("payments", "Payments", "PAY", 12) },
        Auth = new { ApiKeys = TestHost.ApiKeys },
    };

    [Fact]
    public async Task The_api_answers_503_problem_details_while_postgresql_is_down_and_recovers_without_a_restart()
    {
        await pg.StartAsync();
        var cs = await pg.NewDatabaseAsync();
        await using var host = await TestHost.StartAsync(cs, Config("http://127.0.0.1:9/jira"));
        using var api = host.Client(TestHost.PmoKey);
        using var anonymous = host.Client();

        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("/api/teams")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("/api/teams/payments/work-items")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/health/ready")).StatusCode);

        await pg.StopAsync();
        try
        {
            // The first requests may meet pooled connections the server closed, later ones a refused connect: all 503.
            foreach (var path in new[] { "/api/teams", "/api/teams/payments/work-items", "/api/teams", "/api/findings" })
            {
                using var down = await api.GetAsync(path);
                var body = await down.Content.ReadAsStringAsync();
                Assert.True(down.StatusCode == HttpStatusCode.ServiceUnavailable, $"{path}: {(int)down.StatusCode} {body}");
                Assert.Equal("application/problem+json", down.Content.Headers.ContentType?.MediaType);
                Assert.True(down.Headers.RetryAfter?.Delta is { TotalSeconds: > 0 }, $"{path}: no Retry-After");
                using var problem = JsonDocument.Parse(body);
                Assert.Equal("The store is unavailable", problem.RootElement.GetProperty("title").GetString());
                Assert.Equal(503, problem.RootElement.GetProperty("status").GetInt32());
                foreach (var secret in new[] { PrivatePostgres.Password, "Password", "Host=", $"{pg.Port}", "Npgsql", "Exception", "   at " })
                    Assert.False(body.Contains(secret, StringComparison.OrdinalIgnoreCase), $"{path}: the body shows '{secret}': {body}");
            }
            var probe = Stopwatch.StartNew();
            Assert.Equal(HttpStatusCode.ServiceUnavailable, (await anonymous.GetAsync("/health/ready")).StatusCode);
            Assert.True(probe.Elapsed < TimeSpan.FromSeconds(5), $"the readiness probe took {probe.Elapsed}");
            Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/health/live")).StatusCode);
        }
        finally
        {
            await pg.StartAsync();
        }

        // Same host, same data source: back by itself within a bounded wait.
        await UntilAsync(async () => (await anonymous.GetAsync("/health/ready")).StatusCode == HttpStatusCode.OK, "/health/ready 200");
        for (var i = 0; i < 5; i++)
        {
            using var up = await api.GetAsync(i % 2 == 0 ? "/api/teams" : "/api/teams/payments/work-items");
            Assert.True(up.StatusCode == HttpStatusCode.OK, $"after recovery: {(int)up.StatusCode} {await up.Content.ReadAsStringAsync()}");
        }
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/health/live")).StatusCode);
    }

    [Fact]
    public async Task A_sync_interrupted_by_an_outage_fails_without_writing_its_batch_and_the_next_sync_stores_everything()
    {
        await pg.StartAsync();
        using var jira = new JiraStub(searchPageSize: 50);
        for (var n = 1; n <= 3; n++) jira.Issues.Add(new Issue(10000 + n, $"PAY-{n}", $"Payments {n}") { Sprints = n == 1 ? [2] : [] });
        var cs = await pg.NewDatabaseAsync();
        await using var host = await TestHost.StartAsync(cs, Config(jira.Url));
        using var anonymous = host.Client();
        var runner = host.Services.GetRequiredService<SyncRunner>();

        var first = await runner.RunAsync(new SyncRequest("jira", Trigger: "test"));
        Assert.True(first.Status == SyncStatus.Succeeded, first.Error);
        Assert.Equal(3L, await ScalarAsync<long>(cs, "SELECT count(*) FROM core.work_items"));
        var watermark = await ScalarAsync<string>(cs, "SELECT value FROM ops.watermarks WHERE team_id = 'payments'");
        Assert.NotNull(watermark);

        // Changed at the tracker since: two new issues and a new title, all in the next incremental batch.
        var later = DateTimeOffset.UtcNow;
        lock (jira.Issues)
        {
            jira.Issues[0] = jira.Issues[0] with { Summary = "Payments 1, renamed", Updated = later };
            jira.Issues.Add(new Issue(10004, "PAY-4", "Payments 4") { Updated = later });
            jira.Issues.Add(new Issue(10005, "PAY-5", "Payments 5") { Updated = later });
        }
        // The batch's read is held at the tracker until PostgreSQL is down, then answered: its write meets the outage.
        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var release = new ManualResetEventSlim();
        jira.BeforeAnswer = path =>
        {
            if (path != "/rest/api/3/issue/bulkfetch" || !reached.TrySetResult()) return;
            release.Wait(TimeSpan.FromSeconds(8)); // below the source's 10 s request timeout
        };

        SyncRunResult interrupted;
        var sync = Task.Run(() => runner.RunAsync(new SyncRequest("jira", Trigger: "test")));
        try
        {
            await Task.WhenAny(reached.Task, sync).WaitAsync(TimeSpan.FromSeconds(20));
            if (sync.IsCompleted)
            {
                var early = await sync;
                Assert.Fail($"the sync ended before reading the batch: {early.Status} {early.Error}");
            }
            await pg.StopAsync();
            release.Set();
            interrupted = await sync.WaitAsync(TimeSpan.FromSeconds(30));
            Assert.Equal(HttpStatusCode.ServiceUnavailable, (await anonymous.GetAsync("/health/ready")).StatusCode);
        }
        finally
        {
            release.Set();
            await pg.StartAsync();
        }

        Assert.True(interrupted.Status == SyncStatus.Failed, $"{interrupted.Status}: {interrupted.Error}");
        Assert.Contains("database", interrupted.Error ?? "");
        await UntilAsync(async () => (await anonymous.GetAsync("/health/ready")).StatusCode == HttpStatusCode.OK, "/health/ready 200");

        // Nothing of the interrupted batch, the watermark where it was.
        Assert.Equal(["PAY-1", "PAY-2", "PAY-3"], await QueryAsync<string>(cs, "SELECT key FROM core.work_items ORDER BY key"));
        Assert.Equal("Payments 1", await ScalarAsync<string>(cs, "SELECT title FROM core.work_items WHERE key = 'PAY-1'"));
        Assert.Equal(watermark, await ScalarAsync<string>(cs, "SELECT value FROM ops.watermarks WHERE team_id = 'payments'"));

        // The next run, same host: everything stored, and the interrupted run no longer 'running'.
        var next = await runner.RunAsync(new SyncRequest("jira", Trigger: "test"));
        Assert.True(next.Status == SyncStatus.Succeeded, $"{next.Status}: {next.Error}");
        Assert.Equal(["PAY-1", "PAY-2", "PAY-3", "PAY-4", "PAY-5"], await QueryAsync<string>(cs, "SELECT key FROM core.work_items ORDER BY key"));
        Assert.Equal("Payments 1, renamed", await ScalarAsync<string>(cs, "SELECT title FROM core.work_items WHERE key = 'PAY-1'"));
        Assert.NotEqual(watermark, await ScalarAsync<string>(cs, "SELECT value FROM ops.watermarks WHERE team_id = 'payments'"));
        var runs = await QueryAsync<(long Id, string Status)>(cs, "SELECT id, status FROM ops.sync_runs ORDER BY id");
        Assert.DoesNotContain(runs, r => r.Status == "running");
        Assert.Equal(3, runs.Count);
        Assert.Equal(("succeeded", "succeeded"), (runs[0].Status, runs[2].Status));
        // Closed by the next run as abandoned when the outage kept it from recording its own failure.
        Assert.Contains(runs[1].Status, new[] { "abandoned", "failed" });
        Assert.Equal(interrupted.RunId, runs[1].Id);
    }

    /// <summary>Polls a real external event (the server back up) until <see cref="RecoveryDeadline"/>.</summary>
    private static async Task UntilAsync(Func<Task<bool>> condition, string what)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try { if (await condition()) return; }
            catch (HttpRequestException) { }
            if (clock.Elapsed > RecoveryDeadline) throw new TimeoutException($"no {what} within {RecoveryDeadline.TotalSeconds:0} s after PostgreSQL started again");
            await Task.Delay(200);
        }
    }

    // The test's own queries: a fresh unpooled connection each, so they never meet a connection the outage closed.
    private static async Task<T> ScalarAsync<T>(string cs, string sql)
    {
        await using var conn = new NpgsqlConnection(cs + ";Pooling=false");
        await conn.OpenAsync();
        return (await conn.ExecuteScalarAsync<T>(sql))!;
    }

    private static async Task<List<T>> QueryAsync<T>(string cs, string sql)
    {
        await using var conn = new NpgsqlConnection(cs + ";Pooling=false");
        await conn.OpenAsync();
        return (await conn.QueryAsync<T>(sql)).ToList();
    }
}
