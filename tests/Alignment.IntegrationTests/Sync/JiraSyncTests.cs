using System.Net.Http.Json;
using System.Text.Json;
using Alignment.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using static Alignment.IntegrationTests.Infrastructure.JiraStub;

namespace Alignment.IntegrationTests.Sync;

/// <summary>
/// Jira → PostgreSQL → HTTP API end to end: the real host, the real store, Jira on WireMock.Net. The host runs on a
/// <see cref="TestClock"/>: a sync's back-offs and Retry-After waits are advanced through on it, never slept.
/// </summary>
[Collection(DatabaseCollection.Name)]
public sealed class JiraSyncTests(TestDatabase db) : IAsyncLifetime
{
    private readonly JiraStub _jira = new(searchPageSize: 2);
    private readonly TestClock _clock = new(DateTimeOffset.UtcNow);
    private readonly List<TimeSpan> _waits = [];
    private TestHost _host = null!;

    private object Config => new
    {
        Sources = new[] { Configs.JiraSource(_jira.Url, maxRetries: 3) },
        Teams = new[] { Configs.JiraTeam("payments", "Payments", "PAY", 12) },
        Auth = new { ApiKeys = TestHost.ApiKeys },
    };

    public async Task InitializeAsync()
    {
        await db.ResetAsync();
        _jira.Issues.AddRange(
        [
            new Issue(10001, "PAY-1", "Checkout epic") { Type = "Epic", HierarchyLevel = 1, Category = "indeterminate", Points = null },
            new Issue(10002, "PAY-2", "Pay by link") { ParentKey = "PAY-1", ParentId = 10001, Category = "indeterminate", Sprints = [1, 2],
                Links = [("500", "inward", 10003, "PAY-3")] },
            new Issue(10003, "PAY-3", "Token vault") { Category = "done", Points = 5, Sprints = [2], Links = [("500", "outward", 10002, "PAY-2")] },
            new Issue(10004, "PAY-4", "Refund <b>flow</b>") { Points = null },
            new Issue(10005, "PAY-5", "Rounding bug") { Type = "Bug", Points = 1 },
        ]);
        _host = await TestHost.StartAsync(db, Config, _clock);
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        _jira.Dispose();
    }

    /// <summary>One run, driven through its waits on the clock (collected in <see cref="_waits"/>); back-offs and a 1 s Retry-After are at most 1 s.</summary>
    private async Task<SyncRunResult> Sync(bool full = false)
    {
        var run = _host.Services.GetRequiredService<SyncRunner>().RunAsync(new SyncRequest("jira", Full: full));
        _waits.AddRange(await _clock.AdvanceThroughWaitsAsync(run, longest: TimeSpan.FromSeconds(1)));
        return await run;
    }

    [Fact]
    public async Task First_sync_reads_every_page_and_the_api_shows_items_sprints_and_parents()
    {
        var r = await Sync();

        Assert.Equal(SyncStatus.Succeeded, r.Status);
        Assert.Equal(5, r.ItemsRead);
        Assert.Equal(3, _jira.Requests("/rest/api/3/search/jql")); // 5 ids in pages of 2
        using var pmo = _host.Client(TestHost.PmoKey);
        var page = await pmo.GetFromJsonAsync<JsonElement>("/api/teams/payments/work-items");
        var items = page.GetProperty("items").EnumerateArray().ToDictionary(i => i.GetProperty("key").GetString()!);
        Assert.Equal(5, items.Count);
        Assert.Equal("epic", items["PAY-1"].GetProperty("type").GetString());
        Assert.Equal("PAY-1", items["PAY-2"].GetProperty("parentKey").GetString());
        Assert.Equal("PAY Sprint 2", items["PAY-2"].GetProperty("sprint").GetString());
        Assert.Equal(3.0, items["PAY-2"].GetProperty("storyPoints").GetDouble());
        Assert.Equal("inProgress", items["PAY-2"].GetProperty("statusCategory").GetString());
        Assert.Equal("In uitvoering", items["PAY-2"].GetProperty("status").GetString()); // localized name, category from statusCategory.key
        Assert.Equal("done", items["PAY-3"].GetProperty("statusCategory").GetString());
        Assert.Equal(JsonValueKind.Null, items["PAY-4"].GetProperty("storyPoints").ValueKind);
        Assert.Equal($"{_jira.Url}/browse/PAY-5", items["PAY-5"].GetProperty("url").GetString());

        var sprints = await pmo.GetFromJsonAsync<JsonElement>("/api/teams/payments/sprints");
        Assert.Equal(["PAY Sprint 2", "PAY Sprint 1"], sprints.EnumerateArray().Select(s => s.GetProperty("name").GetString()));
        Assert.Equal("active", sprints[0].GetProperty("state").GetString());

        var inSprint = await pmo.GetFromJsonAsync<JsonElement>("/api/teams/payments/work-items?sprint=PAY%20Sprint%202&type=story");
        Assert.Equal(["PAY-2", "PAY-3"], inSprint.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("key").GetString()).Order());

        Assert.Equal(2L, await db.ScalarAsync<long>("SELECT count(*) FROM core.item_events WHERE kind = 'sprintAdded' AND item_external_id = '10002'"));
        Assert.Equal(5L, await db.ScalarAsync<long>("SELECT count(*) FROM raw.item_payloads WHERE source_id = 'jira'"));
    }

    [Fact]
    public async Task A_dependency_shows_from_either_end_with_its_direction()
    {
        await Sync();
        using var pmo = _host.Client(TestHost.PmoKey);

        var dependent = await pmo.GetFromJsonAsync<JsonElement>("/api/work-items/jira/PAY-2");
        var link = Assert.Single(dependent.GetProperty("links").EnumerateArray());
        Assert.Equal("dependency", link.GetProperty("kind").GetString());
        Assert.Equal("dependsOn", link.GetProperty("direction").GetString());
        Assert.Equal("PAY-3", link.GetProperty("key").GetString());
        Assert.True(link.GetProperty("resolved").GetBoolean());

        var blocker = await pmo.GetFromJsonAsync<JsonElement>("/api/work-items/jira/PAY-3");
        var back = Assert.Single(blocker.GetProperty("links").EnumerateArray());
        Assert.Equal("blocks", back.GetProperty("direction").GetString());
        Assert.Equal("PAY-2", back.GetProperty("key").GetString());
        Assert.Equal(1L, await db.ScalarAsync<long>("SELECT count(DISTINCT (from_key, to_key)) FROM core.links WHERE kind = 'dependency'"));
    }

    [Fact]
    public async Task Syncing_twice_changes_nothing()
    {
        await Sync();
        var counts = await db.ScalarAsync<long>("SELECT (SELECT count(*) FROM core.work_items) + (SELECT count(*) FROM core.links) + (SELECT count(*) FROM core.item_events) + (SELECT count(*) FROM core.sprint_items)");

        var second = await Sync();

        Assert.Equal(SyncStatus.Succeeded, second.Status);
        Assert.Equal(0, second.ItemsChanged);
        Assert.Equal(counts, await db.ScalarAsync<long>("SELECT (SELECT count(*) FROM core.work_items) + (SELECT count(*) FROM core.links) + (SELECT count(*) FROM core.item_events) + (SELECT count(*) FROM core.sprint_items)"));
    }

    [Fact]
    public async Task An_incremental_run_picks_up_exactly_the_changed_item()
    {
        await Sync();
        lock (_jira.Issues)
        {
            var i = _jira.Issues.FindIndex(x => x.Key == "PAY-4");
            _jira.Issues[i] = _jira.Issues[i] with { Summary = "Refund flow v2", Points = 8, Updated = DateTimeOffset.UtcNow };
        }

        var r = await Sync();

        Assert.Equal(1, r.ItemsRead);
        Assert.Equal(1, r.ItemsChanged);
        Assert.Contains(_jira.Jqls, j => j.Contains("updated >= ", StringComparison.Ordinal));
        Assert.Equal(8.0, await db.ScalarAsync<double>("SELECT story_points FROM core.work_items WHERE key = 'PAY-4'"));
        var run = (await db.QueryAsync<(string, bool)>("SELECT status, full_sync FROM ops.sync_runs ORDER BY id DESC LIMIT 1")).Single();
        Assert.Equal(("succeeded", false), run);
    }

    [Fact]
    public async Task A_full_run_marks_a_vanished_item_deleted()
    {
        await Sync();
        lock (_jira.Issues) _jira.Issues.RemoveAll(i => i.Key == "PAY-5");

        var r = await Sync(full: true);

        Assert.Equal(1, r.Teams.Single().ItemsDeleted);
        Assert.True(await db.ScalarAsync<bool>("SELECT deleted FROM core.work_items WHERE key = 'PAY-5'"));
        using var pmo = _host.Client(TestHost.PmoKey);
        var page = await pmo.GetFromJsonAsync<JsonElement>("/api/teams/payments/work-items");
        Assert.DoesNotContain("PAY-5", page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("key").GetString()));
    }

    [Fact]
    public async Task A_429_with_retry_after_then_success_is_retried()
    {
        _jira.Fail("/rest/api/3/issue/bulkfetch", FaultKind.TooManyRequests);

        var r = await Sync();

        Assert.Equal(SyncStatus.Succeeded, r.Status);
        Assert.Equal(5, r.ItemsRead);
        Assert.True(r.Retries >= 1);
        Assert.Equal([TimeSpan.FromSeconds(1)], _waits); // Retry-After: 1 was honoured, on the clock
        Assert.True(await db.ScalarAsync<long>("SELECT retries FROM ops.sync_runs ORDER BY id DESC LIMIT 1") >= 1);
    }

    [Fact]
    public async Task A_500_then_success_is_retried()
    {
        _jira.Fail("/rest/api/3/search/jql", FaultKind.ServerError);
        var r = await Sync();
        Assert.Equal(SyncStatus.Succeeded, r.Status);
        Assert.Equal(5, r.ItemsRead);
        Assert.True(r.Retries >= 1);
        Assert.Single(_waits); // one back-off, on the clock
    }

    [Fact]
    public async Task A_team_whose_batch_keeps_failing_is_tried_once_more_at_the_end_of_the_run()
    {
        _jira.Fail("/rest/api/3/issue/bulkfetch", Enumerable.Repeat(FaultKind.Truncated, 4).ToArray());

        var r = await Sync();

        Assert.Equal(SyncStatus.Succeeded, r.Status);
        Assert.Equal(5L, await db.ScalarAsync<long>("SELECT count(*) FROM core.work_items"));
        Assert.True(await db.ScalarAsync<long>("SELECT count(*) FROM raw.failed_payloads WHERE kind = 'request' AND request LIKE '%bulkfetch%'") >= 1);
    }

    [Fact]
    public async Task Truncated_json_fails_the_run_naming_the_request_and_commits_nothing_of_that_batch()
    {
        // 1 + 3 retries in the team's first try, and as many in its second try at the end of the run.
        _jira.Fail("/rest/api/3/issue/bulkfetch", Enumerable.Repeat(FaultKind.Truncated, 8).ToArray());

        var r = await Sync();

        Assert.Equal(SyncStatus.Failed, r.Status);
        Assert.Contains("malformed or truncated JSON", r.Error);
        Assert.Contains("POST rest/api/3/issue/bulkfetch", r.Error);
        Assert.Contains("source 'jira'", r.Error);
        Assert.DoesNotContain(Configs.JiraToken, r.Error);
        Assert.Equal(0L, await db.ScalarAsync<long>("SELECT count(*) FROM core.work_items"));
        Assert.Equal(0L, await db.ScalarAsync<long>("SELECT count(*) FROM ops.watermarks"));
        Assert.True(await db.ScalarAsync<long>("SELECT count(*) FROM raw.failed_payloads WHERE request LIKE '%bulkfetch%'") >= 1);
        var run = (await db.QueryAsync<(string Status, string Error)>("SELECT status, error FROM ops.sync_runs ORDER BY id DESC LIMIT 1")).Single();
        Assert.Equal("failed", run.Status);
        Assert.Contains("bulkfetch", run.Error);

        var retry = await Sync();
        Assert.Equal(SyncStatus.Succeeded, retry.Status);
        Assert.Equal(5L, await db.ScalarAsync<long>("SELECT count(*) FROM core.work_items"));
    }
}
