using System.Net.Http.Json;
using System.Text.Json;
using Alignment.IntegrationTests.Infrastructure;
using Alignment.Simulator;

namespace Alignment.IntegrationTests.Sync;

/// <summary>Both trackers end to end against the simulator, compared with its ground truth.</summary>
[Collection(DatabaseCollection.Name)]
public sealed class SimulatedOrganisationTests(TestDatabase db) : IAsyncLifetime
{
    private static readonly SimulatorOptions Small = new() { Teams = 6, Items = 900, Links = 90, Seed = 7 };

    public Task InitializeAsync() => db.ResetAsync();
    public Task DisposeAsync() => Task.CompletedTask;

    private static string Source(string tracker) => tracker == "jira" ? "jira" : "ado";

    [Fact]
    public async Task The_store_matches_the_simulators_truth_for_items_estimates_parents_and_dependencies()
    {
        await using var org = await SimulatedOrg.StartAsync(db, Small);
        var results = await org.SyncAsync();
        Assert.All(results, r => Assert.True(r.Status == SyncStatus.Succeeded, r.Error));
        var truth = await org.TruthAsync();

        var stored = (await db.QueryAsync<(string Source, string Key, string Type, double? Points, string? Parent, string? Team, string Category)>(
            "SELECT source_id, key, type, story_points, parent_key, team_id, status_category FROM core.work_items WHERE NOT deleted"))
            .ToDictionary(i => (i.Source, i.Key));
        var expected = truth.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(expected.Count, stored.Count);
        foreach (var e in expected)
        {
            var key = (Source(e.GetProperty("tracker").GetString()!), e.GetProperty("key").GetString()!);
            Assert.True(stored.TryGetValue(key, out var s), $"{key} missing from the store");
            Assert.Equal(e.GetProperty("type").GetString(), s.Type);
            Assert.Equal(e.GetProperty("storyPoints").ValueKind == JsonValueKind.Null ? null : e.GetProperty("storyPoints").GetDouble(), s.Points);
            Assert.Equal(e.GetProperty("parentKey").ValueKind == JsonValueKind.Null ? null : e.GetProperty("parentKey").GetString(), s.Parent);
            Assert.Equal(e.GetProperty("team").GetString(), s.Team);
            Assert.True(e.GetProperty("statusCategory").GetString() == s.Category, $"{key}: {e.GetProperty("statusCategory")} vs {s.Category}");
        }

        var edges = (await db.QueryAsync<(string FromSource, string FromKey, string ToSource, string ToKey)>(
            "SELECT DISTINCT from_source_id, from_key, to_source_id, to_key FROM core.links WHERE kind = 'dependency'")).ToHashSet();
        var truthEdges = truth.GetProperty("dependencies").EnumerateArray().Select(d => (
            Source(d.GetProperty("dependent").GetProperty("tracker").GetString()!), d.GetProperty("dependent").GetProperty("key").GetString()!,
            Source(d.GetProperty("blocker").GetProperty("tracker").GetString()!), d.GetProperty("blocker").GetProperty("key").GetString()!)).ToHashSet();
        Assert.NotEmpty(truthEdges);
        Assert.Contains(truthEdges, e => e.Item1 != e.Item3); // some cross the trackers
        Assert.Empty(truthEdges.Except(edges));
        Assert.Empty(edges.Except(truthEdges));

        var sprintCount = truth.GetProperty("sprints").GetArrayLength();
        Assert.Equal((long)sprintCount, await db.ScalarAsync<long>("SELECT count(*) FROM core.team_sprints"));
    }

    [Fact]
    public async Task A_cross_tracker_dependency_is_one_resolved_edge_seen_from_both_sides()
    {
        await using var org = await SimulatedOrg.StartAsync(db, Small);
        await org.SyncAsync();
        var truth = await org.TruthAsync();
        var cross = truth.GetProperty("dependencies").EnumerateArray()
            .First(d => d.GetProperty("dependent").GetProperty("tracker").GetString() == "jira" && d.GetProperty("blocker").GetProperty("tracker").GetString() == "azureDevOps");
        var jiraKey = cross.GetProperty("dependent").GetProperty("key").GetString();
        var adoKey = cross.GetProperty("blocker").GetProperty("key").GetString();
        using var c = org.Host.Client(TestHost.PmoKey);

        var jiraItem = await c.GetFromJsonAsync<JsonElement>($"/api/work-items/jira/{jiraKey}");
        var toAdo = jiraItem.GetProperty("links").EnumerateArray().Single(l => l.GetProperty("source").GetString() == "ado" && l.GetProperty("key").GetString() == adoKey);
        Assert.Equal("dependsOn", toAdo.GetProperty("direction").GetString());
        Assert.True(toAdo.GetProperty("resolved").GetBoolean());

        var adoItem = await c.GetFromJsonAsync<JsonElement>($"/api/work-items/ado/{adoKey}");
        var toJira = adoItem.GetProperty("links").EnumerateArray().Single(l => l.GetProperty("source").GetString() == "jira" && l.GetProperty("key").GetString() == jiraKey);
        Assert.Equal("blocks", toJira.GetProperty("direction").GetString());
        Assert.True(toJira.GetProperty("resolved").GetBoolean());
    }

    [Fact]
    public async Task An_unchanged_incremental_run_costs_two_requests_per_team()
    {
        await using var org = await SimulatedOrg.StartAsync(db, Small);
        Assert.All(await org.SyncAsync(), r => Assert.Equal(SyncStatus.Succeeded, r.Status));

        var again = await org.SyncAsync();

        foreach (var r in again)
        {
            Assert.Equal(SyncStatus.Succeeded, r.Status);
            Assert.Equal(0, r.ItemsChanged);
            // Nothing per source: Jira's deployment and fields are kept from the last run; Azure DevOps reads no revisions when no team changed.
            Assert.True(r.Requests <= 2 * r.Teams.Count, $"{r.SourceId}: {r.Requests} requests for {r.Teams.Count} teams");
        }
    }

    [Fact]
    public async Task With_30_percent_faults_the_final_store_equals_the_fault_free_store()
    {
        string cleanHash; long cleanRows;
        await using (var clean = await SimulatedOrg.StartAsync(db, Small))
        {
            Assert.All(await clean.SyncAsync(), r => Assert.Equal(SyncStatus.Succeeded, r.Status));
            (cleanHash, cleanRows) = await SimulatedOrg.StoreDigestAsync(db);
        }
        await db.ResetAsync();

        await using var faulty = await SimulatedOrg.StartAsync(db, Small with { FaultRate = 0.3 }, maxRetries: 8);
        var attempts = 0;
        IReadOnlyList<SyncRunResult> results;
        do
        {
            // A run that meets more truncated bodies than it retries fails and is simply run again, as the schedule would.
            results = await faulty.SyncAsync();
            attempts++;
        } while (results.Any(r => r.Status != SyncStatus.Succeeded) && attempts < 6);

        Assert.All(results, r => Assert.True(r.Status == SyncStatus.Succeeded, r.Error));
        Assert.True(results.Sum(r => r.Retries) > 0, "faults were injected and retried");
        var (hash, rows) = await SimulatedOrg.StoreDigestAsync(db);
        Assert.Equal(cleanRows, rows);
        Assert.Equal(cleanHash, hash);
    }
}
