using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Nodes;
using Alignment.IntegrationTests.Infrastructure;
using Alignment.Simulator;
using Xunit.Abstractions;

namespace Alignment.IntegrationTests.Deployment;

/// <summary>A database of its own for the drill: its Hangfire queue must hold the drill's jobs only.</summary>
[CollectionDefinition(Name)]
public sealed class ScaleOutCollection : ICollectionFixture<TestDatabase>
{
    public const string Name = "scale-out";
}

/// <summary>
/// The scale-out drill: one <c>alignment serve</c> and two <c>alignment worker</c> processes on one
/// PostgreSQL against a simulated organisation of ten sources; 50 syncs queued through the API.
/// Every job completes, no two syncs of one source overlap in time (the advisory lock; later ones
/// are recorded as skipped), and the runs are spread over several processes.
/// (The digest part of the drill waits for advice e-mails, which do not exist yet.)
/// </summary>
[Collection(ScaleOutCollection.Name)]
public sealed class ScaleOutDrillTests(TestDatabase db, ITestOutputHelper output) : IAsyncLifetime
{
    private const int SyncsPerSource = 5;
    private readonly List<(string Role, Process Process, ConcurrentQueue<string> Log)> _processes = [];
    private RunningSimulator _sim = null!;
    private string _configFile = "";

    public async Task InitializeAsync() =>
        _sim = await SimulatorServer.StartAsync(new SimulatorOptions { Teams = 10, Items = 600, Links = 40, Seed = 11 });

    public async Task DisposeAsync()
    {
        foreach (var (role, p, log) in _processes)
        {
            try { if (!p.HasExited) p.Kill(entireProcessTree: true); await p.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(15)); }
            catch (Exception e) when (e is InvalidOperationException or TimeoutException) { }
            p.Dispose();
        }
        await _sim.DisposeAsync();
        if (_configFile.Length > 0) File.Delete(_configFile);
    }

    [Fact]
    public async Task Fifty_syncs_over_ten_sources_on_three_processes_complete_without_overlap()
    {
        var sources = await WriteTenSourceConfigAsync();
        Assert.Equal(10, sources.Count);

        var api = Start("serve");
        var workers = new[] { Start("worker"), Start("worker") };
        foreach (var (url, _) in workers.Prepend(api)) await WaitReadyAsync(url);

        var clock = Stopwatch.StartNew();
        using var http = new HttpClient { BaseAddress = new Uri(api.Url) };
        http.DefaultRequestHeaders.Add("X-Api-Key", TestHost.PmoKey);
        var jobIds = new List<long>();
        for (var round = 0; round < SyncsPerSource; round++)
            foreach (var source in sources)
            {
                using var response = await http.PostAsync($"/api/sync/{source}", null);
                Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"POST /api/sync/{source}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                jobIds.Add(long.Parse((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("jobId").GetString()!));
            }
        Assert.Equal(50, jobIds.Distinct().Count());

        // Every queued job reaches Hangfire's Succeeded state (a failed sync would fail its job).
        var deadline = DateTime.UtcNow.AddSeconds(75);
        long done = 0;
        while (DateTime.UtcNow < deadline)
        {
            done = await db.ScalarAsync<long>("SELECT count(*) FROM hangfire.job WHERE id = ANY(@jobIds) AND statename = 'Succeeded'", new { jobIds = jobIds.ToArray() });
            if (done == jobIds.Count) break;
            await Task.Delay(500);
        }
        var elapsed = clock.Elapsed;
        var runs = await db.QueryAsync<Run>("""
            SELECT id, source_id AS Source, status, host, started_at AS Started, finished_at AS Finished, items_read AS ItemsRead, error
            FROM ops.sync_runs ORDER BY id
            """);
        Report(runs, elapsed);
        Assert.True(done == jobIds.Count, $"{done} of {jobIds.Count} jobs succeeded within the time limit");

        // Every sync completed: a run row for every job, each succeeded or skipped, none left running or failed.
        // (Hangfire delivers at least once: under load a job whose state change failed runs again, which
        // the advisory lock makes harmless, so there may be a few more rows than jobs.)
        Assert.True(runs.Count >= 50, $"{runs.Count} run rows for 50 jobs");
        Assert.All(runs, r => Assert.True(r.Status is "succeeded" or "skipped", $"run {r.Id} of {r.Source} on {r.Host}: {r.Status} {r.Error}"));
        Assert.All(runs, r => Assert.NotNull(r.Finished));
        Assert.Equal(sources.Order(), runs.Where(r => r.Status == "succeeded").Select(r => r.Source).Distinct().Order());

        // One sync per source at a time, across processes.
        foreach (var bySource in runs.Where(r => r.Status == "succeeded").GroupBy(r => r.Source))
        {
            var ordered = bySource.OrderBy(r => r.Started).ToList();
            for (var i = 1; i < ordered.Count; i++)
                Assert.True(ordered[i].Started >= ordered[i - 1].Finished,
                    $"source {bySource.Key}: run {ordered[i].Id} on {ordered[i].Host} started at {ordered[i].Started:O} before run {ordered[i - 1].Id} on {ordered[i - 1].Host} finished at {ordered[i - 1].Finished:O}");
        }

        // The work was shared: runs on more than one process, and both workers took jobs.
        var hosts = runs.Select(r => r.Host).Distinct().ToList();
        Assert.True(hosts.Count >= 2, "runs happened on " + string.Join(", ", hosts));
        foreach (var (_, worker) in workers)
            Assert.True(runs.Any(r => r.Host.EndsWith($":{worker.Id}", StringComparison.Ordinal)),
                $"worker process {worker.Id} ran no sync (hosts: {string.Join(", ", hosts)})");
    }

    public sealed class Run
    {
        public long Id { get; init; }
        public string Source { get; init; } = "";
        public string Status { get; init; } = "";
        public string Host { get; init; } = "";
        public DateTime Started { get; init; }
        public DateTime? Finished { get; init; }
        public long ItemsRead { get; init; }
        public string? Error { get; init; }
    }

    private void Report(List<Run> runs, TimeSpan elapsed)
    {
        output.WriteLine($"{runs.Count} runs in {elapsed.TotalSeconds:F1} s: {runs.Count(r => r.Status == "succeeded")} succeeded, " +
            $"{runs.Count(r => r.Status == "skipped")} skipped, {runs.Count(r => r.Status == "failed")} failed");
        foreach (var g in runs.GroupBy(r => r.Host))
            output.WriteLine($"  {g.Key}: {g.Count()} runs ({g.Count(r => r.Status == "succeeded")} succeeded)");
        var succeeded = runs.Where(r => r.Status == "succeeded" && r.Finished is not null).ToList();
        if (succeeded.Count > 0)
            output.WriteLine($"  succeeded run duration: median {Median(succeeded.Select(r => (r.Finished!.Value - r.Started).TotalSeconds)):F2} s, " +
                $"max {succeeded.Max(r => (r.Finished!.Value - r.Started).TotalSeconds):F2} s, items read {succeeded.Sum(r => r.ItemsRead)}");
        foreach (var r in runs.Where(r => r.Status == "failed"))
            output.WriteLine($"  failed run {r.Id} of {r.Source} on {r.Host}: {r.Error}");
        foreach (var (role, p, log) in _processes.Where(p => p.Process.HasExited))
            output.WriteLine($"{role} {p.Id} exited {p.ExitCode}: {string.Join("\n", log.TakeLast(30))}");
    }

    private static double Median(IEnumerable<double> values)
    {
        var v = values.Order().ToList();
        return v.Count == 0 ? 0 : v[v.Count / 2];
    }

    /// <summary>The simulator's configuration spread over ten sources: five Jira and five Azure DevOps entries on the same simulated services.</summary>
    private async Task<List<string>> WriteTenSourceConfigAsync()
    {
        using var http = new HttpClient();
        var sim = JsonNode.Parse(await http.GetStringAsync(_sim.BaseUrl + "/_sim/config"))!["Alignment"]!.AsObject();
        var originals = sim["Sources"]!.AsArray().ToDictionary(s => s!["Id"]!.GetValue<string>(), s => s!.AsObject());
        var sources = new JsonArray();
        var ids = new List<string>();
        foreach (var kind in new[] { "jira", "ado" })
            for (var i = 1; i <= 5; i++)
            {
                var s = originals[kind].DeepClone().AsObject();
                s["Id"] = $"{kind}-{i}";
                s["Sync"] = new JsonObject { ["Cron"] = "", ["FullCron"] = "", ["MaxRetries"] = 3, ["RequestTimeoutSeconds"] = 20 };
                sources.Add(s);
                ids.Add($"{kind}-{i}");
            }
        var teams = new JsonArray();
        var perKind = new Dictionary<string, int>();
        foreach (var t in sim["Teams"]!.AsArray())
        {
            var team = t!.DeepClone().AsObject();
            var kind = team["Source"]!.GetValue<string>();
            var n = perKind[kind] = perKind.GetValueOrDefault(kind) + 1;
            team["Source"] = $"{kind}-{(n - 1) % 5 + 1}";
            teams.Add(team);
        }
        var config = new JsonObject
        {
            ["Sources"] = sources,
            ["Teams"] = teams,
            ["Auth"] = JsonNode.Parse(JsonSerializer.Serialize(new { ApiKeys = TestHost.ApiKeys })),
        };
        _configFile = TestHost.WriteConfig(config);
        output.WriteLine($"{teams.Count} teams over {ids.Count} sources: " +
            string.Join(", ", teams.GroupBy(t => t!["Source"]!.GetValue<string>()).Select(g => $"{g.Key}={g.Count()}")));
        return ids;
    }

    private (string Url, Process Process) Start(string verb)
    {
        var url = $"http://127.0.0.1:{FreePort()}";
        var psi = AlignmentProcess.StartInfo(db.ConnectionString, verb, "--config", _configFile, "--urls", url, "--Logging:LogLevel:Default=Warning");
        var log = new ConcurrentQueue<string>();
        var p = new Process { StartInfo = psi };
        p.OutputDataReceived += (_, e) => { if (e.Data is not null) log.Enqueue(e.Data); };
        p.ErrorDataReceived += (_, e) => { if (e.Data is not null) log.Enqueue(e.Data); };
        p.Start();
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        _processes.Add((verb, p, log));
        return (url, p);
    }

    private async Task WaitReadyAsync(string url)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow.AddSeconds(45);
        while (DateTime.UtcNow < deadline)
        {
            var exited = _processes.FirstOrDefault(p => p.Process.HasExited);
            if (exited.Process is not null)
                Assert.Fail($"{exited.Role} exited with {exited.Process.ExitCode}: {string.Join("\n", exited.Log)}");
            try
            {
                using var r = await http.GetAsync(url + "/health/ready");
                if (r.IsSuccessStatusCode) return;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException) { }
            await Task.Delay(250);
        }
        Assert.Fail($"{url} was not ready within 45 s");
    }

    private static int FreePort() => AlignmentProcess.FreePort();
}
