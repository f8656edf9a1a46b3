using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Alignment.IntegrationTests.Infrastructure;
using static Alignment.IntegrationTests.Infrastructure.JiraStub;

namespace Alignment.IntegrationTests.Sync;

/// <summary>
/// The findings of issue 12, each through the real <c>alignment</c> process (docs/reliability.md): a stalled
/// answer, one odd value in one item, text PostgreSQL cannot hold, a localized Jira site.
/// </summary>
[Collection(DatabaseCollection.Name)]
public sealed class ReliabilityTests(TestDatabase db) : IAsyncLifetime
{
    private readonly JiraStub _jira = new(searchPageSize: 50);

    public async Task InitializeAsync()
    {
        await db.ResetAsync();
        for (var n = 1; n <= 4; n++) _jira.Issues.Add(new Issue(10000 + n, $"PAY-{n}", $"Payments {n}") { Sprints = n % 2 == 0 ? [2] : [] });
        for (var n = 1; n <= 3; n++) _jira.Issues.Add(new Issue(20000 + n, $"OPS-{n}", $"Operations {n}"));
    }

    public Task DisposeAsync() { _jira.Dispose(); return Task.CompletedTask; }

    private Task<(int Code, string Output)> Alignment(params string[] args) => AlignmentProcess.RunAsync(db.ConnectionString, args);

    private static object Source(string url, int timeoutSeconds = 10, int retries = 2, int totalSeconds = 60) => new
    {
        Id = "jira", Kind = "Jira", BaseUrl = url,
        Auth = new { Scheme = "Basic", User = "pmo-bot@example.com", TokenEnv = Configs.JiraTokenEnv },
        Sync = new { Cron = "", FullCron = "", MaxRetries = retries, RequestTimeoutSeconds = timeoutSeconds, RequestTotalSeconds = totalSeconds },
    };

    private string TwoTeamConfig() => TestHost.WriteConfig(new
    {
        Sources = new[] { Source(_jira.Url) },
        Teams = new[] { Configs.JiraTeam("payments", "Payments", "PAY", 12), Configs.JiraTeam("ops", "Operations", "OPS", 13) },
    });

    [Fact]
    public async Task A_stalled_body_fails_the_run_within_its_deadline_and_the_next_run_is_not_skipped()
    {
        using var stall = new StallingServer();
        var file = TestHost.WriteConfig(new
        {
            Sources = new[] { Source(stall.Url, timeoutSeconds: 2, retries: 1, totalSeconds: 10) },
            Teams = new[] { Configs.JiraTeam("payments", "Payments", "PAY", 12) },
        });

        var clock = Stopwatch.StartNew();
        var (code, output) = await Alignment("sync", "--config", file);
        var first = clock.Elapsed;
        var (code2, output2) = await Alignment("sync", "--config", file);

        Assert.True(code == 1, output);
        Assert.Contains("no complete answer within 2 s, headers and body", output);
        Assert.Contains("GET rest/api/2/serverInfo", output);
        // Two attempts of 2 s and one back-off, far below the minutes a stalled read used to hang.
        Assert.True(first < TimeSpan.FromSeconds(45), $"the first run took {first}");
        Assert.True(code2 == 1, output2);
        Assert.True(stall.Connections >= 2, "each attempt opens its own connection");
        var statuses = (await db.QueryAsync<string>("SELECT status FROM ops.sync_runs ORDER BY id")).ToList();
        Assert.Equal(["failed", "failed"], statuses);
    }

    [Fact]
    public async Task One_odd_value_quarantines_that_item_and_the_run_ends_partial_with_the_other_team_complete()
    {
        _jira.Issues[1] = _jira.Issues[1] with { Mutate = j => j.Replace("\"name\":\"Story\"", "\"name\":null", StringComparison.Ordinal) };
        _jira.Issues[2] = _jira.Issues[2] with { Mutate = j => j.Replace("\"created\":\"2026-02-01T09:00:00.000+0800\"", "\"created\":1e20", StringComparison.Ordinal) };

        var (code, output) = await Alignment("sync", "--config", TwoTeamConfig());

        Assert.True(code == 0, output);
        Assert.Contains("partial", output);
        Assert.Contains("2 item(s) quarantined", output);
        Assert.Equal(3L, await db.ScalarAsync<long>("SELECT count(*) FROM core.work_items WHERE team_id = 'ops'"));
        Assert.Equal(["PAY-1", "PAY-4"], (await db.QueryAsync<string>("SELECT key FROM core.work_items WHERE team_id = 'payments' ORDER BY key")).ToList());
        var quarantined = (await db.QueryAsync<(string Key, string Path, string Error, string Request, string Team)>(
            "SELECT item_key, json_path, error, request, team_id FROM raw.failed_payloads WHERE kind = 'item' AND resolved_at IS NULL ORDER BY item_key")).ToList();
        Assert.Equal(2, quarantined.Count);
        Assert.Equal(("PAY-2", "$.fields.issuetype.name", "payments"), (quarantined[0].Key, quarantined[0].Path, quarantined[0].Team));
        Assert.Contains("expected a string", quarantined[0].Error);
        Assert.Contains("bulkfetch", quarantined[0].Request);
        Assert.Equal(("PAY-3", "$.fields.created"), (quarantined[1].Key, quarantined[1].Path));
        Assert.Contains("expected a timestamp", quarantined[1].Error);
        var run = (await db.QueryAsync<(string Status, int Quarantined)>("SELECT status, quarantined_items FROM ops.sync_runs")).Single();
        Assert.Equal(("partial", 2), run);

        // Fixed at the tracker (not updated since): read again on the next run, converted, out of quarantine.
        _jira.Issues[1] = _jira.Issues[1] with { Mutate = null };
        _jira.Issues[2] = _jira.Issues[2] with { Mutate = null };
        var (again, output2) = await Alignment("sync", "--config", TwoTeamConfig());

        Assert.True(again == 0, output2);
        Assert.Equal(4L, await db.ScalarAsync<long>("SELECT count(*) FROM core.work_items WHERE team_id = 'payments'"));
        Assert.Equal(0L, await db.ScalarAsync<long>("SELECT count(*) FROM raw.failed_payloads WHERE kind = 'item' AND resolved_at IS NULL"));
        Assert.Equal("succeeded", await db.ScalarAsync<string>("SELECT status FROM ops.sync_runs ORDER BY id DESC LIMIT 1"));
    }

    [Fact]
    public async Task A_type_mismatch_in_a_sprint_list_is_named_as_such_not_as_truncation()
    {
        _jira.SprintListJson = """{"maxResults":50,"startAt":0,"isLast":true,"values":[{"id":1.5,"state":"active","name":"S1"}]}""";

        var (code, output) = await Alignment("sync", "--config", TwoTeamConfig());

        Assert.True(code == 0, output);
        Assert.True(output.Contains("expected a whole number at $.values[0].id, got 1.5", StringComparison.Ordinal), output);
        Assert.DoesNotContain("truncated", output);
        Assert.Equal(3L, await db.ScalarAsync<long>("SELECT count(*) FROM core.work_items WHERE team_id = 'ops'"));
        Assert.Equal("partial", await db.ScalarAsync<string>("SELECT status FROM ops.sync_runs"));
        Assert.Equal("failed", await db.ScalarAsync<string>("SELECT last_status FROM ops.team_sync_state WHERE team_id = 'payments'"));
        Assert.Null(await db.ScalarAsync<string?>("SELECT value FROM ops.watermarks WHERE team_id = 'payments'"));
    }

    [Fact]
    public async Task Text_postgresql_cannot_hold_is_cleaned_and_the_team_is_stored()
    {
        _jira.Issues[0] = _jira.Issues[0] with { Summary = "Pay out\u0000" };
        _jira.Issues[3] = _jira.Issues[3] with { Mutate = j => j.Replace("\"labels\":[\"pmo\"]", "\"labels\":[\"a\\ud800b\"]", StringComparison.Ordinal) };

        var (code, output) = await Alignment("sync", "--config", TwoTeamConfig());

        Assert.True(code == 0, output);
        Assert.True(output.Contains("succeeded", StringComparison.Ordinal) && !output.Contains("quarantined", StringComparison.Ordinal), output);
        Assert.Equal("Pay out\uFFFD", await db.ScalarAsync<string>("SELECT title FROM core.work_items WHERE key = 'PAY-1'"));
        Assert.Equal("a\uFFFDb", await db.ScalarAsync<string>("SELECT labels[1] FROM core.work_items WHERE key = 'PAY-4'"));
        Assert.Equal("Pay out\uFFFD", await db.ScalarAsync<string>(
            "SELECT p.payload->'fields'->>'summary' FROM raw.item_payloads p WHERE p.external_id = '10001'"));
        Assert.Equal(7L, await db.ScalarAsync<long>("SELECT count(*) FROM core.work_items"));
    }

    [Fact]
    public async Task A_localized_site_types_items_by_the_untranslated_issue_type_name()
    {
        _jira.IssueTypesJson = """
            [{"self":"https://pay.atlassian.net/rest/api/3/issuetype/10000","id":"10000","description":"","name":"长篇故事","untranslatedName":"Epic","subtask":false,"hierarchyLevel":1},
             {"self":"https://pay.atlassian.net/rest/api/3/issuetype/10001","id":"10001","description":"","name":"故事","untranslatedName":"Story","subtask":false,"hierarchyLevel":0},
             {"self":"https://pay.atlassian.net/rest/api/3/issuetype/10002","id":"10002","description":"","name":"任务","untranslatedName":"Task","subtask":false,"hierarchyLevel":0},
             {"self":"https://pay.atlassian.net/rest/api/3/issuetype/10003","id":"10003","description":"","name":"缺陷","untranslatedName":"Bug","subtask":false,"hierarchyLevel":0}]
            """;
        string Typed(string json, string id, string name) => json.Replace("\"issuetype\":{\"id\":\"10000\",\"name\":\"Story\"", $"\"issuetype\":{{\"id\":\"{id}\",\"name\":\"{name}\"", StringComparison.Ordinal);
        _jira.Issues[0] = _jira.Issues[0] with { Mutate = j => Typed(j, "10001", "故事") };
        _jira.Issues[1] = _jira.Issues[1] with { Mutate = j => Typed(j, "10002", "任务") };
        _jira.Issues[2] = _jira.Issues[2] with { Mutate = j => Typed(j, "10003", "缺陷") };

        var (code, output) = await Alignment("sync", "--config", TwoTeamConfig());

        Assert.True(code == 0, output);
        var types = (await db.QueryAsync<(string Key, string Type, string Original)>(
            "SELECT key, type, original_type FROM core.work_items WHERE key IN ('PAY-1','PAY-2','PAY-3') ORDER BY key")).ToList();
        Assert.Equal([("PAY-1", "story", "故事"), ("PAY-2", "task", "任务"), ("PAY-3", "bug", "缺陷")], types);
    }

    /// <summary>Answers every request with the headers and 11 bytes of a 100,000-byte body, then says nothing more.</summary>
    private sealed class StallingServer : IDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource _stop = new();
        private readonly List<TcpClient> _clients = [];
        private int _connections;

        public StallingServer()
        {
            _listener.Start();
            _ = Task.Run(AcceptAsync);
        }

        public string Url => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/jira";
        public int Connections => Volatile.Read(ref _connections);

        private async Task AcceptAsync()
        {
            while (!_stop.IsCancellationRequested)
            {
                TcpClient client;
                try { client = await _listener.AcceptTcpClientAsync(_stop.Token); }
                catch (Exception) { return; }
                Interlocked.Increment(ref _connections);
                lock (_clients) _clients.Add(client);
                _ = Task.Run(async () =>
                {
                    try
                    {
                        var stream = client.GetStream();
                        var buffer = new byte[8192];
                        var seen = new StringBuilder();
                        while (!seen.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
                        {
                            var n = await stream.ReadAsync(buffer, _stop.Token);
                            if (n == 0) return;
                            seen.Append(Encoding.ASCII.GetString(buffer, 0, n));
                        }
                        var head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{\"baseUrl\":";
                        await stream.WriteAsync(Encoding.ASCII.GetBytes(head), _stop.Token);
                        await stream.FlushAsync(_stop.Token);
                        await Task.Delay(Timeout.Infinite, _stop.Token);
                    }
                    catch (Exception) { /* stopped */ }
                });
            }
        }

        public void Dispose()
        {
            _stop.Cancel();
            _listener.Stop();
            lock (_clients) foreach (var c in _clients) c.Dispose();
        }
    }
}
